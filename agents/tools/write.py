"""``write``: create or replace a file in the workspace."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools import syntax
from agents.tools.arguments import ToolInputError, failure, text
from agents.tools.base import ToolResult

# Whether the path names an existing file, resolved as the write will resolve it.
EXISTS_SCRIPT = """resolve p "$target"
if [ -f "$p" ]; then echo file; elif [ -e "$p" ]; then echo other; else echo none; fi
"""


class WriteTool:
    """Writes the whole file; parents are created, an existing file's mode is kept."""

    name = "write"
    mutates = True

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Create a file under /workspace, or replace its whole content; missing parent "
                "directories are created. The result says whether the file was created or "
                "overwritten, and warns when a Python, JSON or TOML file no longer parses. "
                "To change part of an existing file, use edit."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "File path, relative to /workspace."},
                    "content": {"type": "string", "description": "The complete new content."},
                },
                "required": ["path", "content"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            path = text(args, "path")
            content = text(args, "content")
            data = content.encode("utf-8")
            existed = existing(sandbox, path)
            sandbox.write_file(path, data)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        lines = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
        verb = "overwrote" if existed else "created"
        message = f"{verb} {path}: wrote {len(data):,} bytes ({lines} lines)"
        meta: dict[str, Any] = {"bytes": len(data), "lines": lines, "created": not existed}
        broken = syntax.problem(path, content)
        if broken is not None:
            message += (
                f"\nWarning: the file was written but does not parse"
                f"{syntax.newer_python_hint(broken)}.\n{broken.describe(content)}"
            )
            meta["parse_error"] = broken.line
        return ToolResult(content=message, meta=meta)


def existing(sandbox: Sandbox, path: str) -> bool:
    """True when ``path`` is an existing file; errors are left for the write to report."""
    result = sandbox.exec(paths.script(EXISTS_SCRIPT, target=path), timeout=30)
    return result.exit_code == 0 and result.output.strip() == "file"
