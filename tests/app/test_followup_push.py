"""A follow-up round's commit: one new commit on the PR branch, never twice, never forced."""

from __future__ import annotations

from app.git_mirror import RepoMirror
from app.runs.followup_push import RoundPush, push_round
from tests.app.test_git_host import BOT, FIXED, WHEN, WRITE, Remote, git, mirror, remote

__all__ = ["mirror", "remote"]  # the fixtures, shared with the fix branch's tests


def _push(mirror: RepoMirror, remote: Remote, base: str, patch: str) -> RoundPush:
    return push_round(
        mirror,
        remote.url,
        WRITE,
        branch="main",
        round_base=base,
        patch=patch,
        message="Fix add\n\nFollow-up on #8",
        round_key="octo/app#7:1/pr-8/comment-1",
        author=BOT,
        timestamp=WHEN,
    )


def test_a_rerun_push_finds_its_commit_instead_of_pushing_a_second(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = remote.ref("main")
    patch = remote.patch("calc.py", FIXED)
    first = _push(mirror, remote, base, patch)
    assert first.pushed and not first.conflict
    assert remote.ref("main") == first.commit
    assert git(remote.bare, "rev-parse", f"{first.commit}^") == base
    again = _push(mirror, remote, base, patch)
    assert not again.pushed and again.commit == first.commit
    assert git(remote.bare, "rev-list", "--count", "main") == "2"


def test_a_branch_a_person_moved_gets_the_commit_on_top_of_theirs(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = remote.ref("main")
    patch = remote.patch("calc.py", FIXED)
    theirs = remote.commit("NOTES.md", "notes\n", "a person's commit")
    result = _push(mirror, remote, base, patch)
    assert result.pushed and result.rebased
    assert git(remote.bare, "rev-parse", f"{result.commit}^") == theirs
    assert git(remote.bare, "show", "main:calc.py", strip=False) == FIXED


def test_a_person_changing_the_same_lines_means_nothing_is_pushed(
    remote: Remote, mirror: RepoMirror
) -> None:
    base = remote.ref("main")
    patch = remote.patch("calc.py", FIXED)
    theirs = remote.commit("calc.py", "def add(a, b):\n    return b - a\n\n\nVERSION = 1\n", "x")
    result = _push(mirror, remote, base, patch)
    assert result.conflict and not result.pushed and result.head == theirs
    assert remote.ref("main") == theirs
