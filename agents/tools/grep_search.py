"""The grep tool's search, run in the container: counts first, then lines of a few files.

Pass one is ``rg --count`` over everything (parallel, tiny output), sorted by path: it gives
exact totals, the files-with-counts listing, and which files the lines listing can show.
Pass two prints the lines of only those files, in path order. So every overflow note can
name exactly what was left out, and a broad search never streams megabytes out of the box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAMED_LEFT_OUT = 10
# Fields are tab separated with the path last, so a path may hold any character but a
# newline; rg prints `path:count`, and the count follows the last colon.
# Each process started in the container costs milliseconds, so the script starts few: no
# realpath for the whole workspace, no temporary directory (the list of files to show is
# one file named by the shell's pid), rg's error read again only when it failed without a
# match (a bad regex fails before reading any file).
SEARCH_SCRIPT = """if [ "$target" = . ]; then p=/workspace; else resolve p "$target"; fi
[ -e "$p" ] || { echo "fixer: $target does not exist"; exit 4; }
set -- --color=never --hidden --glob '!.git' --no-messages
[ -n "$include" ] && set -- "$@" --glob "$include"
[ "$icase" = 1 ] && set -- "$@" --ignore-case
cd /workspace
if [ "$p" = /workspace ]; then where=; else where=${p#/workspace/}; fi
list=/tmp/.fixer-grep-$$
counts=$(rg "$@" --count --with-filename --regexp "$pattern" ${where:+-- "$where"} 2>/dev/null \\
  | LC_ALL=C sort; exit "${PIPESTATUS[0]}")
status=$?
if [ "$status" -eq 2 ] && [ -z "$counts" ]; then
  rg "$@" --count --regexp "$pattern" ${where:+-- "$where"} 2>&1 >/dev/null; exit 2
fi
[ -n "$counts" ] && counts+=$'\\n'
printf '%s' "$counts" | awk -v mode="$mode" -v files_cap="$files_cap" -v lines_cap="$lines_cap" \\
    -v named="$named" -v list="$list" '
  BEGIN { if (mode == "lines") printf "" > list }
  { n = $0; sub(/.*:/, "", n); path = substr($0, 1, length($0) - length(n) - 1)
    total += n; files++
    keep = (mode == "lines") ? (chosen < lines_cap) : (files <= files_cap)
    if (keep && mode == "lines") print path > list
    if (keep) { printf "FILE\\t%d\\t%s\\n", n, path; chosen += n }
    else { left += n; left_files++; if (left_files <= named) printf "LEFT\\t%d\\t%s\\n", n, path } }
  END { printf "TOTAL\\t%d\\t%d\\t%d\\t%d\\n", total, files, left, left_files }'
if [ "$mode" = lines ] && [ -s "$list" ]; then
  printf '\\001LINES\\n'
  set -- "$@" --line-number --no-heading --with-filename --sort path \\
    --max-columns 300 --max-columns-preview
  [ "$context" -gt 0 ] && set -- "$@" --context "$context"
  xargs -d '\\n' rg "$@" --regexp "$pattern" -- < "$list" 2>/dev/null \\
    | head -n "$lines_cap" | head -c "$bytes_cap"
  rm -f "$list"
fi
exit 0
"""


@dataclass
class Summary:
    """What pass one found."""

    total: int = 0
    """Matching lines, all files."""
    files: int = 0
    listed: list[tuple[str, int]] = field(default_factory=list)
    """(path, matching lines) of the files shown (files mode) or searched again (lines)."""
    left_lines: int = 0
    left_files: int = 0
    left_named: list[tuple[str, int]] = field(default_factory=list)
    lines: str = ""
    """Pass two's output (lines mode)."""


def parse(output: str) -> Summary | None:
    """The search script's output, or None when it is not one (an error message)."""
    head, marker, lines = output.partition("\x01LINES\n")
    summary = Summary(lines=lines if marker else "")
    seen_total = False
    for row in head.split("\n"):
        kind, _, rest = row.partition("\t")
        if kind in ("FILE", "LEFT"):
            count, _, path = rest.partition("\t")
            target = summary.listed if kind == "FILE" else summary.left_named
            target.append((path, int(count)))
        elif kind == "TOTAL":
            numbers = [int(n) for n in rest.split("\t")]
            summary.total, summary.files, summary.left_lines, summary.left_files = numbers
            seen_total = True
    return summary if seen_total else None


def shown_lines(summary: Summary) -> tuple[list[str], dict[str, int]]:
    """Pass two's whole lines and, per file, how many matching lines of it they hold."""
    text = summary.lines
    rows = text.split("\n")
    rows.pop()  # the empty tail after the last newline, or a line the byte cap cut short
    paths = sorted((path for path, _ in summary.listed), key=len, reverse=True)
    shown: dict[str, int] = {}
    for row in rows:
        for path in paths:  # longest first: "a.py" must not claim "a.py.bak:3:..."
            if row.startswith(path + ":") and re.match(r"\d+:", row[len(path) + 1 :]):
                shown[path] = shown.get(path, 0) + 1
                break
    return rows, shown


def left_out_note(
    lines_left: int, files_left: int, names: list[str], *, what: str = "matching lines"
) -> str:
    """ "[… 37 more matching lines in 12 files not shown: a.py, b.py, …]"."""
    if lines_left <= 0:
        return ""
    listed = ", ".join(names[:NAMED_LEFT_OUT])
    more = ", …" if files_left > len(names[:NAMED_LEFT_OUT]) else ""
    plural = "file" if files_left == 1 else "files"
    return (
        f"[… {lines_left} more {what} in {files_left} {plural} not shown: {listed}{more}; "
        "narrow the search with path or include]"
    )
