"""``shell``: a bash command in the sandbox, with a timeout that leaves nothing running."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox.protocol import CommandResult, Sandbox
from agents.tools.arguments import ToolInputError, failure, number, optional_text, text
from agents.tools.base import ToolResult

DESCRIPTION = (
    "Run a bash command in the sandbox (working directory /workspace unless `cwd` is given) "
    "and get its combined stdout and stderr plus the exit code. There is no network during "
    "agent work. Long output keeps its head and tail; redirect big output to a file and read "
    "parts of it. On timeout the whole process group is killed: start long-running servers "
    "with their output redirected to a file."
)


class ShellTool:
    """Runs one command per call; the hot path is a single exec."""

    name = "shell"
    mutates = True

    def __init__(self, default_timeout: float = 120.0, max_timeout: float = 1800.0) -> None:
        self.default_timeout = default_timeout
        self.max_timeout = max_timeout

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": DESCRIPTION,
            "input_schema": {
                "type": "object",
                "properties": {
                    "command": {"type": "string", "description": "Bash command to run."},
                    "timeout": {
                        "type": "number",
                        "description": f"Seconds before the command is killed "
                        f"(default {self.default_timeout:g}, at most {self.max_timeout:g}).",
                    },
                    "cwd": {
                        "type": "string",
                        "description": "Directory to run in, relative to /workspace.",
                    },
                },
                "required": ["command"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            command = text(args, "command")
            if not command.strip():
                raise ToolInputError("argument 'command' is empty: give a bash command to run")
            timeout = number(args, "timeout", self.default_timeout, low=0.1, high=self.max_timeout)
            result = sandbox.exec(command, timeout=timeout, cwd=optional_text(args, "cwd"))
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        return render(result, timeout)


def render(result: CommandResult, timeout: float) -> ToolResult:
    """The model's view of a command result: output, then a status line it cannot miss."""
    output = (
        result.output
        if result.output.endswith("\n") or not result.output
        else (result.output + "\n")
    )
    if result.timed_out:
        status = (
            f"[timed out after {timeout:g}s: the command's process group was killed, nothing "
            "of it is left running; exit code -1]"
        )
    elif result.exit_code == 137:
        status = (
            "[exit code 137: killed by SIGKILL, most likely out of memory (the sandbox's "
            "memory limit); use less memory, e.g. fewer parallel jobs or smaller inputs]"
        )
    else:
        status = f"[exit code {result.exit_code}]"
    return ToolResult(
        content=output + status,
        is_error=result.timed_out or result.exit_code == 137,
        meta={
            "exit_code": result.exit_code,
            "timed_out": result.timed_out,
            "duration_ms": round(result.duration_ms, 1),
            "truncated_bytes": result.truncated_bytes,
        },
    )
