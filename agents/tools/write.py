"""``write``: create or replace a file in the workspace."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, text
from agents.tools.base import ToolResult


class WriteTool:
    """Writes the whole file; parents are created, an existing file's mode is kept."""

    name = "write"
    mutates = True

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Create a file under /workspace, or replace its whole content; missing parent "
                "directories are created. To change part of an existing file, use edit."
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
            sandbox.write_file(path, data)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        lines = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
        return ToolResult(
            content=f"wrote {len(data):,} bytes ({lines} lines) to {path}",
            meta={"bytes": len(data), "lines": lines},
        )
