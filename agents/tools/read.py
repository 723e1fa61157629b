"""``read``: numbered lines of a text file in the workspace, within a size cap."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, integer, text
from agents.tools.base import ToolResult

MAX_LINE = 2000
# Stays under the sandbox's default output cap (30,000 bytes), so a read is never cut.
READ_CAP = 20_000
READ_SCRIPT = """resolve p "$target"
[ -e "$p" ] || { echo "fixer: $target does not exist"; exit 4; }
[ -d "$p" ] && { echo "fixer: $target is a directory; use glob to list files"; exit 4; }
size=$(stat -c %s -- "$p")
mime=$(file -b --mime -- "$p" 2>/dev/null || echo unknown)
nuls=$(head -c 8192 -- "$p" | tr -cd '\\000' | wc -c)
lines=$(wc -l < "$p")
printf 'META\\t%s\\t%s\\t%s\\t%s\\n' "$size" "$nuls" "$lines" "$mime"
case "$mime" in *charset=binary*) [ "$size" -gt 0 ] && exit 0 ;; esac
[ "$nuls" -gt 0 ] && exit 0
tail -n "+$offset" -- "$p" | head -n "$limit" | head -c "$cap"
"""


class ReadTool:
    """Reads a line range; refuses binary files with their size and type."""

    name = "read"
    mutates = False

    def __init__(self, default_limit: int = 2000) -> None:
        self.default_limit = default_limit

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Read a text file under /workspace as numbered lines (like `cat -n`). Use "
                "`offset` (1-based first line) and `limit` (line count) for large files; "
                f"about {READ_CAP:,} bytes come back per call. Binary files are refused."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "File path, relative to /workspace."},
                    "offset": {"type": "integer", "description": "First line to show (1-based)."},
                    "limit": {"type": "integer", "description": "Number of lines to show."},
                },
                "required": ["path"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            path = text(args, "path")
            offset = integer(args, "offset", 1, low=1, high=10**9)
            limit = integer(args, "limit", self.default_limit, low=1, high=100_000)
            script = paths.script(
                READ_SCRIPT, target=path, offset=str(offset), limit=str(limit), cap=str(READ_CAP)
            )
            result = sandbox.exec(script, timeout=60)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        if result.exit_code != 0 or not result.output.startswith("META\t"):
            return failure(result.output.strip() or f"could not read {path}")
        header, _, body = result.output.partition("\n")
        _, size, nuls, lines, mime = header.split("\t", 4)
        if ("charset=binary" in mime and int(size) > 0) or int(nuls) > 0:
            return failure(
                f"{path} is a binary file ({int(size):,} bytes, {mime}); it cannot be shown as "
                "text. Inspect it with the shell tool (e.g. `xxd | head`) if you must.",
                size=int(size),
                mime=mime,
            )
        return number_lines(path, body, offset, int(lines), int(size))


def number_lines(path: str, body: str, offset: int, total: int, size: int) -> ToolResult:
    """``cat -n``-style content plus a note when the file continues beyond what is shown."""
    if not body:
        note = "(empty file)" if size == 0 else f"(no lines at offset {offset}; {total} lines)"
        return ToolResult(content=note, meta={"lines": 0, "total_lines": total})
    cut = len(body.encode()) >= READ_CAP
    rows = body.split("\n")
    if rows[-1] == "" or (cut and len(rows) > 1):
        rows.pop()  # an empty tail, or a line the byte cap cut short: shown in the next read
    numbered = []
    for index, row in enumerate(rows):
        if len(row) > MAX_LINE:
            row = row[:MAX_LINE] + f" [... line cut at {MAX_LINE} characters]"
        numbered.append(f"{offset + index:6d}\t{row}")
    last = offset + len(rows) - 1
    content = "\n".join(numbered)
    # A file without a trailing newline has total+1 lines, hence the >= comparison.
    if last < total or cut:
        content += (
            f"\n[showing lines {offset}-{last} of {max(total, last)}; "
            f"read on with offset={last + 1}]"
        )
    return ToolResult(content=content, meta={"lines": len(rows), "total_lines": total})
