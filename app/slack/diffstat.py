"""Files changed, with lines added and removed, read from a unified diff (``git diff``).

Lines are counted from the hunk headers' lengths rather than by prefix alone, so a removed
line whose text starts with ``--`` (``---`` in the diff) is counted, not taken for a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_GIT_HEADER = re.compile(r"^diff --git a/(.*) b/(.*)$")


@dataclass
class FileStat:
    path: str
    added: int = 0
    removed: int = 0
    binary: bool = False
    status: str = "modified"
    """``modified``, ``added``, ``deleted`` or ``renamed``."""


def _strip_prefix(path: str) -> str:
    path = path.split("\t", 1)[0]
    return path[2:] if path.startswith(("a/", "b/")) else path


def parse_diffstat(diff: str) -> list[FileStat]:
    """One :class:`FileStat` per file in ``diff``, in diff order."""
    stats: list[FileStat] = []
    current: FileStat | None = None
    old_left = new_left = 0
    for line in diff.splitlines():
        if old_left > 0 or new_left > 0:
            # Inside a hunk: every line is context, an addition or a removal.
            if current is not None and line.startswith("+"):
                current.added += 1
                new_left -= 1
            elif current is not None and line.startswith("-"):
                current.removed += 1
                old_left -= 1
            elif line.startswith("\\"):
                pass  # "\ No newline at end of file"
            else:
                old_left -= 1
                new_left -= 1
            continue
        if match := _GIT_HEADER.match(line):
            current = FileStat(path=match.group(2))
            stats.append(current)
        elif line.startswith("--- ") and (current is None or current.added + current.removed):
            # A plain unified diff (no ``diff --git`` line) starts each file at ``---``.
            current = FileStat(path=_strip_prefix(line[4:]))
            if line[4:].startswith("/dev/null"):
                current.status = "added"
            stats.append(current)
        elif line.startswith("+++ ") and current is not None:
            path = line[4:].split("\t", 1)[0]
            if path == "/dev/null":
                current.status = "deleted"
            else:
                current.path = _strip_prefix(path)
        elif line.startswith(("--- /dev/null", "new file mode")) and current is not None:
            current.status = "added"
        elif line.startswith("deleted file mode") and current is not None:
            current.status = "deleted"
        elif line.startswith("rename to ") and current is not None:
            current.status = "renamed"
            current.path = line.removeprefix("rename to ")
        elif line.startswith(("Binary files ", "GIT binary patch")) and current is not None:
            current.binary = True
        elif (match := _HUNK.match(line)) and current is not None:
            old_left = int(match.group(1) if match.group(1) is not None else 1)
            new_left = int(match.group(2) if match.group(2) is not None else 1)
    return stats


def totals(stats: list[FileStat]) -> tuple[int, int]:
    """Lines added and removed over all files."""
    return sum(s.added for s in stats), sum(s.removed for s in stats)
