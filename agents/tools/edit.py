"""``edit``: replace an exact, unique piece of a file; misses show the closest candidates."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox.protocol import Sandbox
from agents.tools import edit_match, syntax
from agents.tools.arguments import ToolInputError, failure, flag, text
from agents.tools.base import ToolResult

MAX_EDIT_BYTES = 5_000_000
CONTEXT_LINES = 4
SHOWN_REGIONS = 3


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
                "to make `old` unique, and leave out the line numbers read shows. The result "
                "shows the edited lines with their numbers. An edit that would make a Python, "
                "JSON or TOML file fail to parse is refused with the parser's error."
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
            content = read_text(sandbox, path)
            fixes: tuple[str, ...] = ()
            count = content.count(old)
            if count == 0:
                found = normalised(content, old, new, replace_all)
                if found is None:
                    return failure(no_match(path, content, old), matches=0)
                old, new, fixes, count = found.old, found.new, found.fixes, content.count(found.old)
            if count > 1 and not replace_all:
                return failure(several_matches(path, content, old, count), matches=count)
            updated = content.replace(old, new) if replace_all else content.replace(old, new, 1)
            broken = syntax.broken_by(path, content, updated)
            if broken is not None:
                return failure(
                    f"edit not applied: it would make {path} fail to parse"
                    f"{syntax.newer_python_hint(broken)}.\n{broken.describe(updated)}\n"
                    "Fix `new` (or `old`) and send the edit again.",
                    matches=count,
                    parse_error=broken.line,
                )
            sandbox.write_file(path, updated.encode("utf-8"))
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        return ToolResult(
            content=summary(path, content, updated, old, new, count, fixes),
            meta={"replacements": count, **({"normalised": list(fixes)} if fixes else {})},
        )


def read_text(sandbox: Sandbox, path: str) -> str:
    """The file as text, or an input error saying why the edit tool cannot change it."""
    data = sandbox.read_file(path)
    if len(data) > MAX_EDIT_BYTES:
        raise ToolInputError(f"{path} is {len(data):,} bytes; edit it with the shell tool")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolInputError(f"{path} is not UTF-8 text; edit it with the shell tool") from None


def normalised(content: str, old: str, new: str, replace_all: bool) -> edit_match.Normalised | None:
    """The first rewrite of (old, new) that matches once (or at all, with replace_all)."""
    for variant in edit_match.variants(content, old, new):
        hits = content.count(variant.old)
        if hits == 1 or (hits > 1 and replace_all):
            return variant
    return None


def summary(
    path: str,
    before: str,
    after: str,
    old: str,
    new: str,
    count: int,
    fixes: tuple[str, ...],
) -> str:
    """What changed and the edited lines, numbered, with a few lines around them."""
    starts: list[int] = []
    at, shift = before.find(old), 0
    while at >= 0 and (count > 1 or not starts):
        starts.append(at + shift)  # the replacement's offset in `after`
        shift += len(new) - len(old)
        at = before.find(old, at + len(old))
    first_line = before[: before.index(old)].count("\n") + 1
    where = f"{count} occurrences" if count > 1 else f"1 occurrence at line {first_line}"
    head = f"edited {path}: replaced {where}"
    if fixes:
        head += f" (`old` did not match as sent; {edit_match.describe_fixes(fixes)})"
    rows = after.split("\n")
    if len(rows) > 1 and rows[-1] == "":
        rows.pop()  # the file's final newline, not a line
    regions: list[tuple[int, int]] = []
    for offset in starts[:SHOWN_REGIONS]:
        first = after[:offset].count("\n")
        last = first + max(new.count("\n") - (1 if new.endswith("\n") else 0), 0)
        low = min(max(first - CONTEXT_LINES, 0), len(rows) - 1)
        high = min(last + CONTEXT_LINES, len(rows) - 1)
        if regions and low <= regions[-1][1] + 1:
            regions[-1] = (regions[-1][0], high)
        else:
            regions.append((low, high))
    parts = [head]
    for low, high in regions:
        parts.append(
            "\n".join(f"{n + 1:6d}\t{rows[n].rstrip(chr(13))}" for n in range(low, high + 1))
        )
    if count > SHOWN_REGIONS:
        parts.append(f"[{count - SHOWN_REGIONS} more replacements not shown]")
    return "\n".join(parts) if len(parts) == 1 else parts[0] + ":\n" + "\n...\n".join(parts[1:])


def no_match(path: str, content: str, old: str) -> str:
    """The error for a miss: what differs, then the file's closest windows, numbered."""
    message = f"{path}: `old` was not found (0 matches). Match whitespace exactly."
    if "\r\n" in content:
        message += " The file has CRLF line endings."
    difference = edit_match.whitespace_difference(content, old)
    if difference:
        message += f" A place in the file matches except for whitespace: {difference}."
    close = edit_match.closest_windows(content, old)
    if not close:
        return message + " Nothing in the file is close to it; read the file first."
    parts = [message, "Closest candidates in the file:"]
    for start, rows in close:
        numbered = "\n".join(f"{start + 1 + offset:6d}\t{row}" for offset, row in enumerate(rows))
        parts.append(f"--- lines {start + 1}-{start + len(rows)} ---\n{numbered}")
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
