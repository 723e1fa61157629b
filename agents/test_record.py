"""The harness's own record of test runs: what the coder reports as "tests passed" comes from
here, never from text the model pastes.

Every ``shell`` call of an agent is observed (from its checkpointed result, so a replay sees
the same runs). The last run of the test command decides ``tests_passed`` and supplies the
output tail. The test command is the configured (or discovered) one; without one, it is the
command the coder names in its ``commands_run`` that it really ran last.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from pydantic import BaseModel

SHELL = "shell"
TAIL_LINES = 40
_CD_PREFIX = re.compile(r"^cd\s+(?:/workspace|\.)/?\s*&&\s*")
_MERGE_STDERR = re.compile(r"\s+2>&1$")


class TestRun(BaseModel):
    """One run of a test command, as the shell tool reported it."""

    __test__ = False  # not a pytest class

    command: str
    exit_code: int | None
    """``None`` when the call failed before a command ran (bad input, timeout kill)."""
    timed_out: bool = False
    output_tail: str = ""

    @property
    def passed(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def normalize(command: str) -> str:
    """``command`` with whitespace collapsed, a leading ``cd /workspace &&`` and a trailing
    ``2>&1`` dropped: the same run, however it was typed."""
    text = " ".join(command.split())
    text = _CD_PREFIX.sub("", text)
    return _MERGE_STDERR.sub("", text)


def _same(one: str, other: str) -> bool:
    a, b = normalize(one), normalize(other)
    if a == b:
        return True
    try:  # quoting differences: `pytest -k 'a b'` and `pytest -k "a b"`
        return shlex.split(a) == shlex.split(b)
    except ValueError:
        return False


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


class TestRecord:
    """The shell runs of one agent, newest last; ask it for the last run of a command."""

    __test__ = False

    def __init__(self, test_command: str | None = None) -> None:
        self.test_command = test_command.strip() if test_command and test_command.strip() else None
        self.runs: list[TestRun] = []

    def observe(self, tool: str, args: dict[str, Any], meta: dict[str, Any], content: str) -> None:
        """Note a finished tool call (its recorded result)."""
        command = args.get("command")
        if tool != SHELL or not isinstance(command, str):
            return
        code = meta.get("exit_code")
        self.runs.append(
            TestRun(
                command=command,
                exit_code=code if isinstance(code, int) else None,
                timed_out=bool(meta.get("timed_out")),
                output_tail=tail(content),
            )
        )

    def last_run(self, named: list[str] | None = None) -> TestRun | None:
        """The newest run of the test command; without one configured, the newest run of
        the last command in ``named`` (the agent's own list, in order) that really ran."""
        wanted = [self.test_command] if self.test_command else list(reversed(named or []))
        for command in wanted:
            for run in reversed(self.runs):
                if _same(run.command, command):
                    return run
        return None
