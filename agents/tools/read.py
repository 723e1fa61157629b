"""``read``: numbered lines of a text file in the workspace, a directory's two levels, or
the nearest names when the path does not exist."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools import read_listing
from agents.tools.arguments import ToolInputError, failure, integer, text
from agents.tools.base import ToolResult

MAX_LINE = 2000
READ_CAP = 50_000
"""Bytes of a file one read shows."""
EXEC_CAP = 28_000
# The body printed by the read script stays under the sandbox's output cap (30,000 bytes by
# default), so it is never cut; a range longer than that is read whole from the file.
WHOLE_FILE_LIMIT = 8_000_000
"""Files up to this size are transferred whole when a range outgrows EXEC_CAP."""
READ_SCRIPT = (
    read_listing.LISTING_SCRIPT
    + """resolve p "$target"
if [ "$p" = /workspace ]; then rel=; else rel=${p#/workspace/}/; fi
[ -e "$p" ] || [ -L "$p" ] || suggest
[ -d "$p" ] && list_dir
size=$(stat -c %s -- "$p")
mime=$(file -b --mime -- "$p" 2>/dev/null || echo unknown)
nuls=$(head -c 8192 -- "$p" | tr -cd '\\000' | wc -c)
lines=$(wc -l < "$p")
printf 'META\\t%s\\t%s\\t%s\\t%s\\n' "$size" "$nuls" "$lines" "$mime"
case "$mime" in *charset=binary*) [ "$size" -gt 0 ] && exit 0 ;; esac
[ "$nuls" -gt 0 ] && exit 0
tail -n "+$offset" -- "$p" | head -n "$limit" | head -c "$cap"
"""
)


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
                f"about {READ_CAP // 1000} KB come back per call. Binary files are refused. "
                "A directory is listed two levels deep (directories ignored by .gitignore "
                "are named, not opened); a path that does not exist gets the nearest "
                "existing names as suggestions."
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
                READ_SCRIPT, target=path, offset=str(offset), limit=str(limit), cap=str(EXEC_CAP)
            )
            result = sandbox.exec(script, timeout=60)
            kind, _, body = result.output.partition("\n")
            if result.exit_code == 0 and kind == "MISSING":
                return missing(path, body)
            if result.exit_code == 0 and kind == "DIR":
                listing = read_listing.parse_listing(body)
                return ToolResult(
                    content=read_listing.render_listing(path.rstrip("/") or ".", listing),
                    meta={"entries": len(listing.entries)},
                )
            if result.exit_code != 0 or not kind.startswith("META\t"):
                return failure(result.output.strip() or f"could not read {path}")
            _, size, nuls, lines, mime = kind.split("\t", 4)
            cut = len(body.encode()) >= EXEC_CAP
            if cut and int(size) <= WHOLE_FILE_LIMIT:
                body, cut = file_range(sandbox.read_file(path), offset, limit)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        if ("charset=binary" in mime and int(size) > 0) or int(nuls) > 0:
            return failure(
                f"{path} is a binary file ({int(size):,} bytes, {mime}); it cannot be shown as "
                "text. Inspect it with the shell tool (e.g. `xxd | head`) if you must.",
                size=int(size),
                mime=mime,
            )
        return number_lines(path, body, offset, int(lines), int(size), cut=cut)


def missing(path: str, body: str) -> ToolResult:
    """The error for a path that does not exist, with the nearest existing names."""
    wanted = paths.relative(paths.absolute(path))
    near = read_listing.suggestions(wanted, body)
    message = f"{path} does not exist."
    if near:
        message += " Did you mean: " + ", ".join(near) + "?"
    else:
        message += " Nothing in the workspace has a similar name; glob finds files by pattern."
    return failure(message, suggestions=near)


def file_range(data: bytes, offset: int, limit: int) -> tuple[str, bool]:
    """Lines ``offset``.. of ``data`` (at most ``limit``) as text, cut at ``READ_CAP`` bytes;
    and whether the cap cut them."""
    rows = data.split(b"\n")
    taken = rows[offset - 1 : offset - 1 + limit]
    body = b"\n".join(taken) + (b"\n" if offset - 1 + len(taken) < len(rows) else b"")
    return body[:READ_CAP].decode("utf-8", errors="replace"), len(body) > READ_CAP


def number_lines(
    path: str, body: str, offset: int, total: int, size: int, *, cut: bool = False
) -> ToolResult:
    """``cat -n``-style content plus a note when the file continues beyond what is shown."""
    if not body:
        note = "(empty file)" if size == 0 else f"(no lines at offset {offset}; {total} lines)"
        return ToolResult(content=note, meta={"lines": 0, "total_lines": total})
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
