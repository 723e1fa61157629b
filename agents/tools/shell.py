"""``shell``: a bash command in the sandbox, with a timeout that leaves nothing running."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox.protocol import CommandResult, Sandbox
from agents.tools.arguments import ToolInputError, failure, number, optional_text, text
from agents.tools.base import ToolResult
from agents.tools.shell_output import OutputPlan, View, parse

DESCRIPTION = (
    "Run a bash command in the sandbox (working directory /workspace unless `cwd` is given) "
    "and get its combined stdout and stderr plus the exit code. Each call is a fresh shell: "
    "`cd`, `export` and shell variables do not carry over between calls, so chain them "
    "(`cd sub && make`) or use `cwd`. There is no network during agent work. Long output "
    "comes back as a short head and a longer tail, with a note naming the file in /tmp that "
    "holds the whole output: read the cut middle from that file (sed -n, grep -n) instead of "
    "running the command again. On timeout the whole process group is killed: start "
    "long-running servers with their output redirected to a file."
)


class ShellTool:
    """Runs one command per call; the hot path is a single exec."""

    name = "shell"
    mutates = True

    def __init__(
        self,
        default_timeout: float = 120.0,
        max_timeout: float = 1800.0,
        shown_bytes: int = 24_000,
    ) -> None:
        self.default_timeout = default_timeout
        self.max_timeout = max_timeout
        self.shown_bytes = shown_bytes
        """Bytes of output the model sees: the one cap, under the sandbox's own output cap
        (30,000 by default) and the loop's result cap, so neither cuts a second time."""

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
            cwd = optional_text(args, "cwd")
            plan = OutputPlan.new(self.shown_bytes)
            result = sandbox.exec(plan.script(command), timeout=timeout, cwd=cwd)
            view = parse(plan, result.output)
            if view is None and result.timed_out:
                # Killed hard (a command ignoring SIGTERM): the view comes from the log.
                view = parse(plan, sandbox.exec(plan.view_script(), timeout=30).output)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        return render(result, timeout, view)


def render(result: CommandResult, timeout: float, view: View | None = None) -> ToolResult:
    """The model's view of a command result: output, then a status line it cannot miss."""
    shown = result.output if view is None else view.text
    output = shown if shown.endswith("\n") or not shown else (shown + "\n")
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
            "truncated_bytes": result.truncated_bytes if view is None else view.cut_bytes,
            **({"output_bytes": view.total_bytes} if view else {}),
            **({"output_file": view.saved_to} if view and view.saved_to else {}),
            **({"workspace_tree": view.tree} if view and view.tree else {}),
        },
    )
