"""Where a review comment sits in a pull request's diff: its hunk and its position.

Read from the real bare repository: the diff GitHub shows for a pull request is the
three-dot diff, base's merge base to the head commit
(https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/proposing-changes-to-your-work-with-pull-requests/about-comparing-branches-in-pull-requests).
A comment on a line that is not in that diff is refused, as GitHub refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devtools.github_repos import commit_of, git
from devtools.github_state import PullRequest, Site

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Anchor:
    diff_hunk: str
    """The hunk's header and its lines down to the commented line, as GitHub sends it."""
    position: int
    """Lines below the file's first ``@@`` header; the line right under it is 1
    (https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request)."""


def file_diff(site: Site, pull: PullRequest, path: str) -> list[str]:
    """The lines of ``path``'s diff from the first ``@@`` on; empty when it is unchanged."""
    base = commit_of(site, pull.repo, f"refs/heads/{pull.base}")
    if base is None:
        return []
    out = git(site, pull.repo, "diff", "--no-color", f"{base}...{pull.head_sha}", "--", path)
    lines = (out or b"").decode(errors="replace").splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
    return [] if first is None else lines[first:]


def anchor(site: Site, pull: PullRequest, path: str, line: int, side: str) -> Anchor | None:
    """The hunk and position of ``line`` (on ``side``: RIGHT = the head, LEFT = the base),
    or None when that line is not part of the pull request's diff."""
    lines = file_diff(site, pull, path)
    old = new = 0
    hunk_start = 0
    for index, text in enumerate(lines):
        header = _HUNK.match(text)
        if header:
            old, new, hunk_start = int(header.group(1)), int(header.group(2)), index
            continue
        if text.startswith("\\"):
            continue  # "\ No newline at end of file"
        kind = text[:1] or " "
        here = new if side == "RIGHT" else old
        wanted = kind in ("+ " if side == "RIGHT" else "- ")
        if wanted and here == line:
            return Anchor("\n".join(lines[hunk_start : index + 1]), index)
        if kind in ("-", " "):
            old += 1
        if kind in ("+", " "):
            new += 1
    return None
