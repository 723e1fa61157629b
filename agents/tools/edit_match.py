"""Finding `old` in a file when the model's copy is slightly off, and saying how it is off.

Two slips are common and safe to undo: line-number prefixes copied from ``read`` output
(``"    12\\t"``) and LF where the file has CRLF (or the reverse). Anything else, tabs against
spaces above all, is explained rather than guessed at.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

CANDIDATES = 3
# What `read` puts before each line: the number right-aligned in 6 columns, then a tab.
_NUMBER_PREFIX = re.compile(r"^ *(\d+)\t")


@dataclass(frozen=True)
class Normalised:
    """`old` and `new` rewritten so that `old` occurs in the file, and what was undone."""

    old: str
    new: str
    fixes: tuple[str, ...]


def strip_line_numbers(text: str) -> str | None:
    """``text`` without ``read``-style prefixes, when every line has one and they count up."""
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows = rows[:-1]
    found = [_NUMBER_PREFIX.match(row) for row in rows]
    if not rows or not all(found):
        return None
    numbers = [int(m.group(1)) for m in found if m]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None
    stripped = "\n".join(row[m.end() :] for row, m in zip(rows, found, strict=True) if m)
    return stripped + ("\n" if text.endswith("\n") else "")


def variants(content: str, old: str, new: str) -> list[Normalised]:
    """Rewrites of (old, new) worth trying, most likely first."""
    out: list[Normalised] = []
    bare_old, bare_new = strip_line_numbers(old), strip_line_numbers(new)
    if bare_old is not None:
        # `new` loses its prefixes only if it has them too: a bare `new` is already right.
        out.append(Normalised(bare_old, new if bare_new is None else bare_new, ("line numbers",)))
    crlf_file, crlf_old = "\r\n" in content, "\r\n" in old
    for base in [*out, Normalised(old, new, ())]:
        if crlf_file and not crlf_old:
            out.append(
                Normalised(
                    re.sub(r"\r?\n", "\r\n", base.old),
                    re.sub(r"\r?\n", "\r\n", base.new),
                    (*base.fixes, "CRLF"),
                )
            )
        elif crlf_old and not crlf_file:
            out.append(
                Normalised(
                    base.old.replace("\r\n", "\n"),
                    base.new.replace("\r\n", "\n"),
                    (*base.fixes, "LF"),
                )
            )
    return out


def describe_fixes(fixes: tuple[str, ...]) -> str:
    """What was undone, for the success message."""
    words = {
        "line numbers": "removed the line-number prefixes copied from read output",
        "CRLF": "matched the file's CRLF line endings",
        "LF": "matched the file's LF line endings",
    }
    return "; ".join(words[fix] for fix in fixes)


def _ws(text: str) -> str:
    spaces, tabs = text.count(" "), text.count("\t")
    parts = [f"{n} {name}{'s' if n != 1 else ''}" for n, name in ((tabs, "tab"), (spaces, "space"))]
    return " and ".join(p for p in parts if not p.startswith("0 ")) or "nothing"


def whitespace_difference(content: str, old: str) -> str | None:
    """How `old` differs from a place in the file that matches it but for whitespace."""
    want = [row.strip() for row in old.strip("\n").split("\n")]
    lines = content.split("\n")
    for start in range(len(lines) - len(want) + 1):
        window = lines[start : start + len(want)]
        if [row.strip() for row in window] != want:
            continue
        old_rows = old.strip("\n").split("\n")
        for offset, (have, wrote) in enumerate(zip(window, old_rows, strict=True)):
            have = have.rstrip("\r")
            if have == wrote:
                continue
            number = start + offset + 1
            lead_have = have[: len(have) - len(have.lstrip())]
            lead_wrote = wrote[: len(wrote) - len(wrote.lstrip())]
            if lead_have != lead_wrote:
                return (
                    f"line {number} of the file is indented with {_ws(lead_have)}, "
                    f"`old` with {_ws(lead_wrote)}"
                    + (" (tabs vs spaces)" if ("\t" in lead_have) != ("\t" in lead_wrote) else "")
                )
            if have.rstrip() != wrote.rstrip():
                continue
            return f"line {number} differs in trailing whitespace"
        return f"lines {start + 1}-{start + len(want)} differ in whitespace inside the lines"
    return None


def closest_windows(content: str, old: str) -> list[tuple[int, list[str]]]:
    """Up to three non-overlapping windows of `old`'s height, most similar first."""
    lines = [row.rstrip("\r") for row in content.split("\n")]
    height = max(1, old.count("\n") + 1)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(old)
    scored: list[tuple[float, int]] = []
    for start in range(max(1, len(lines) - height + 1)):
        matcher.set_seq1("\n".join(lines[start : start + height]))
        # The same cheap-bounds-first order as difflib.get_close_matches.
        if matcher.real_quick_ratio() >= 0.3 and matcher.quick_ratio() >= 0.3:
            score = matcher.ratio()
            if score >= 0.3:
                scored.append((score, start))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[int] = []
    for _, start in scored:
        if all(abs(start - other) >= height for other in chosen):
            chosen.append(start)
            if len(chosen) == CANDIDATES:
                break
    return [(start, lines[start : start + height]) for start in chosen]
