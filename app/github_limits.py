"""GitHub's size limits on what Fixer writes, and cutting text to fit them with a pointer.

GitHub refuses an issue comment, pull request body or review reply over 65,536 characters
with a 422 ("body is too long (maximum is 65536 characters)"), so a long plan, diff or test
log would otherwise fail the step for good. Everything Fixer writes passes through
:func:`fit`, which cuts at a line, closes a code fence left open, and says where the rest is.
"""

from __future__ import annotations

BODY_LIMIT = 65536
"""Characters GitHub accepts in a comment or pull request body."""

SECTION_LIMIT = 20000
"""What one long part (a plan, a summary, a log) may take, leaving room for the rest."""


def _cut_note(url: str | None) -> str:
    where = f"[the run page]({url})" if url else "the run page"
    return f"\n\n_…cut to fit GitHub's size limit; the full text is on {where}._"


def fit(text: str, limit: int = BODY_LIMIT, url: str | None = None, *, keep_tail: str = "") -> str:
    """``text`` if it fits in ``limit`` characters, else its head cut at a line with a note.

    ``keep_tail`` (a hidden marker, say) is appended after the cut and always survives.
    """
    if len(text) + len(keep_tail) <= limit:
        return text + keep_tail
    note = _cut_note(url)
    room = limit - len(note) - len(keep_tail) - len("\n```")
    if room <= 0:
        raise ValueError(f"a limit of {limit} characters leaves no room for the text")
    head = text[:room]
    line_end = head.rfind("\n")
    if line_end > room // 2:
        head = head[:line_end]
    if head.count("```") % 2 == 1:
        head += "\n```"
    return head + note + keep_tail


def tail(text: str, limit: int) -> str:
    """The last ``limit`` characters of a log, from a line start, saying that it was cut."""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    line_start = cut.find("\n")
    if 0 <= line_start < limit // 2:
        cut = cut[line_start + 1 :]
    return f"[…{len(text) - len(cut)} earlier characters cut]\n{cut}"
