"""A round's patch as per-file, syntax-highlighted HTML (Pygments, rendered on the server).

Each line is highlighted with the lexer of its file's language and marked as added,
removed or context, so the page needs no front-end code to show a readable diff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

_GIT_HEADER = re.compile(r"^diff --git a/(.*) b/(.*)$")
_FORMATTER: HtmlFormatter[str] = HtmlFormatter(nowrap=True, classprefix="hl-")


@dataclass
class FileDiff:
    """One file's part of a patch."""

    path: str
    lines: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0

    @property
    def patch(self) -> str:
        return "\n".join(self.lines)


def split_patch(patch: str) -> list[FileDiff]:
    files: list[FileDiff] = []
    for line in patch.splitlines():
        if match := _GIT_HEADER.match(line):
            files.append(FileDiff(path=match.group(2)))
        if not files:
            continue
        current = files[-1]
        current.lines.append(line)
        if line.startswith("+") and not line.startswith("+++"):
            current.added += 1
        elif line.startswith("-") and not line.startswith("---"):
            current.removed += 1
    return files


def _lexer_for(path: str) -> Lexer:
    try:
        lexer: Lexer = get_lexer_for_filename(path, stripnl=False, ensurenl=False)
        return lexer
    except ClassNotFound:
        plain: Lexer = TextLexer(stripnl=False, ensurenl=False)
        return plain


def _code(lexer: Lexer, text: str) -> str:
    html: str = highlight(text, lexer, _FORMATTER)
    return html.rstrip("\n")


def render_file(diff: FileDiff) -> Markup:
    """The file's hunks as table rows: marker, highlighted code, one class per line kind."""
    lexer = _lexer_for(diff.path)
    rows: list[str] = []
    in_hunk = False
    for line in diff.lines:
        if line.startswith("@@"):
            in_hunk = True
            rows.append(f'<tr class="hunk"><td colspan="2">{escape(line)}</td></tr>')
            continue
        if not in_hunk or line.startswith("\\"):
            continue  # file headers are shown as the file's title instead
        marker, text = line[:1], line[1:]
        kind = {"+": "add", "-": "del"}.get(marker, "ctx")
        rows.append(
            f'<tr class="{kind}"><td class="mark">{escape(marker or " ")}</td>'
            f"<td><code>{_code(lexer, text) or '&#8203;'}</code></td></tr>"
        )
    return Markup("".join(rows))


def stylesheet() -> str:
    return str(_FORMATTER.get_style_defs(".diff code"))  # type: ignore[no-untyped-call]
