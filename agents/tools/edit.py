"""``edit``: replace an exact, unique piece of a file; misses show the closest candidates."""

from __future__ import annotations

import difflib
from typing import Any

from agents.errors import SandboxError
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, flag, text
from agents.tools.base import ToolResult

MAX_EDIT_BYTES = 5_000_000
CANDIDATES = 3


class EditTool:
    """Exact-match replacement; the model corrects itself from the error it gets."""

    name = "edit"
    mutates = True

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Replace `old` with `new` in a file under /workspace. `old` must match the file "
                "exactly (whitespace and indentation included) and occur once, unless "
                "`replace_all` is true. Read the file first; include enough surrounding lines "
                "to make `old` unique."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "File path, relative to /workspace."},
                    "old": {"type": "string", "description": "Exact text to replace."},
                    "new": {"type": "string", "description": "Replacement text."},
                    "replace_all": {
                        "type": "boolean",
                        "description": "Replace every occurrence (default false).",
                    },
                },
                "required": ["path", "old", "new"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            path, old, new = text(args, "path"), text(args, "old"), text(args, "new")
            replace_all = flag(args, "replace_all")
            if not old:
                raise ToolInputError("argument 'old' is empty; to create a file use write")
            if old == new:
                raise ToolInputError("'old' and 'new' are identical: nothing would change")
            data = sandbox.read_file(path)
            if len(data) > MAX_EDIT_BYTES:
                raise ToolInputError(f"{path} is {len(data):,} bytes; edit it with the shell tool")
            try:
                content = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ToolInputError(
                    f"{path} is not UTF-8 text; edit it with the shell tool"
                ) from None
            count = content.count(old)
            if count == 0:
                return failure(no_match(path, content, old), matches=0)
            if count > 1 and not replace_all:
                return failure(several_matches(path, content, old, count), matches=count)
            updated = content.replace(old, new) if replace_all else content.replace(old, new, 1)
            sandbox.write_file(path, updated.encode("utf-8"))
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        line = content[: content.index(old)].count("\n") + 1
        where = f"{count} occurrences" if count > 1 else f"1 occurrence at line {line}"
        return ToolResult(content=f"edited {path}: replaced {where}", meta={"replacements": count})


def no_match(path: str, content: str, old: str) -> str:
    """The error for a miss: the file's closest windows of the same height, numbered."""
    lines = content.split("\n")
    height = max(1, old.count("\n") + 1)
    windows = {
        "\n".join(lines[start : start + height]): start
        for start in range(max(1, len(lines) - height + 1))
    }
    close = difflib.get_close_matches(old, list(windows), n=CANDIDATES, cutoff=0.3)
    message = f"{path}: `old` was not found (0 matches). Match whitespace exactly."
    if not close:
        return message + " Nothing in the file is close to it; read the file first."
    parts = [message, "Closest candidates in the file:"]
    for candidate in close:
        start = windows[candidate]
        numbered = "\n".join(
            f"{start + 1 + offset:6d}\t{row}" for offset, row in enumerate(candidate.split("\n"))
        )
        parts.append(f"--- lines {start + 1}-{start + height} ---\n{numbered}")
    return "\n".join(parts)


def several_matches(path: str, content: str, old: str, count: int) -> str:
    """The error for an ambiguous ``old``: how many, and at which lines."""
    starts, at = [], content.find(old)
    while at >= 0:
        starts.append(content[:at].count("\n") + 1)
        at = content.find(old, at + 1)
    shown = ", ".join(str(n) for n in starts[:20])
    return (
        f"{path}: `old` occurs {count} times (at lines {shown}). Include more surrounding "
        "lines to make it unique, or set replace_all to true to replace every occurrence."
    )
