"""Small real-world-shaped repositories (Python, Node, Go, Rust) that set themselves up.

Each has a README whose own setup and test commands are what ``.github/fixer.yml`` runs,
a real bug with a failing test, and a model script that fixes it through Fixer's tools.
Their dependencies come from a local ``devtools.package_index.PackageIndex``, so tests and
benchmarks need no outside network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devtools.scripted_model import reply, text, tool_use

AUTHOR = "sample-dev"


@dataclass
class SampleRepo:
    """One sample repository and the scripted fix of its bug."""

    name: str
    """``owner/repo`` in the GitHub emulation."""
    files: dict[str, str]
    issue_title: str
    issue_body: str
    path: str
    """The file holding the bug."""
    old: str
    new: str
    test_command: str
    """What the agents run; discovered from the files when fixer.yml has no ``test:``."""
    setup: list[str] = field(default_factory=list)

    def fix_script(self) -> list[Any]:
        """Planner reads the file and plans; coder edits, runs the tests, submits."""
        plan = {
            "summary": f"Fix the bug in {self.path}.",
            "root_cause": f"{self.path}: `{self.old.strip()}` is wrong.",
            "files_to_change": [{"path": self.path, "why": "fix the bug"}],
            "steps": [f"Replace `{self.old.strip()}`.", f"Run `{self.test_command}`."],
            "test_plan": f"`{self.test_command}` passes.",
            "risks": [],
        }
        result = {
            "summary": f"{self.path}: fixed.",
            "commands_run": [self.test_command],
            "tests_passed": True,
            "test_output_tail": "passed",
            "open_concerns": [],
        }
        return [
            reply(text("Reading the code."), tool_use("read", {"path": self.path})),
            reply(tool_use("submit_plan", plan)),
            reply(tool_use("edit", {"path": self.path, "old": self.old, "new": self.new})),
            reply(tool_use("shell", {"command": self.test_command, "timeout": 600})),
            reply(tool_use("submit_result", result)),
        ]


def fixer_yml(setup: list[str], extra: str = "") -> str:
    lines = "".join(f"  - {command!r}\n" for command in setup)
    return f"setup:\n{lines}budget_usd: 2\n{extra}"
