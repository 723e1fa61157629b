"""Commit an approved patch as the bot and push it to ``fixer/issue-N``, idempotently.

The push is a durable-workflow step, so it runs at least once and must be safe to repeat
(DESIGN §4): the commit is deterministic (fixed identity and dates), so a retry builds the
same sha, and a branch that already points at it is left alone.

A push GitHub declines for good (a workflow file without the ``workflows`` permission, a
ruleset or branch protection on the branch, an archived repository, a token that may not
write) raises :class:`PushDeclined`, a permanent error: retrying the step cannot help, so the
run ends with the reason and what to do.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import PermanentError
from app.git_host import GitHostError, GitRunner, PatchDoesNotApply, PushRefused
from app.git_mirror import RepoMirror


class PushDeclined(PushRefused, PermanentError):
    """GitHub refused the push for a reason a retry does not change; the message says which."""


class PatchWillNotApply(PatchDoesNotApply, PermanentError):
    """The approved patch does not apply to its base commit: retrying cannot change that."""


_REJECTED = re.compile(r"! \[remote rejected\] \S+ -> \S+ \((?P<reason>[^)]*)\)")
_REMOTE_LINE = re.compile(r"remote:[ \t]*([^\n]*)")
_HTTP_REFUSAL = re.compile(r"The requested URL returned error: (?P<status>40[134])")
_HINTS = (
    (
        "without `workflows` permission",
        "The fix changes a file under `.github/workflows/`, which the App may not push: "
        "request changes without it, or opt in with `allow_workflow_changes: true` in "
        "`.github/fixer.yml` and grant the App `workflows: write`.",
    ),
    (
        "rule violations",
        "A ruleset covers this branch: add the App to the ruleset's bypass list or exclude "
        "`fixer/*` from it.",
    ),
    (
        "protected branch",
        "A branch protection rule covers this branch: exclude `fixer/*` from it.",
    ),
    ("archived", "The repository is archived (read-only): unarchive it to let Fixer push."),
)


def declined(message: str, branch: str) -> PushDeclined | None:
    """The permanent refusal in a failed push's message, or None (a retry may succeed)."""
    rejected = _REJECTED.search(message)
    refused = _HTTP_REFUSAL.search(message)
    if rejected is None and refused is None:
        return None
    text = message.replace("\\n", "\n")
    remote = [line.strip() for line in _REMOTE_LINE.findall(text) if line.strip()]
    what = f"GitHub declined the push of `{branch}`"
    if rejected:
        what += f" ({rejected['reason']})"
    elif refused:
        what += f" (HTTP {refused['status']})"
    detail = (what + (": " + " ".join(remote) if remote else "")).rstrip(".")
    hint = next((h for key, h in _HINTS if key in message), None)
    if hint is None:
        hint = "Check that the App is installed here with contents:write."
    return PushDeclined(f"{detail}. {hint}")


@dataclass(frozen=True)
class PushResult:
    """What ``push_fix`` put on the remote."""

    commit: str
    """sha of the fix commit the branch points at."""
    branch: str
    """Branch name without ``refs/heads/``."""
    base: str
    """The commit the fix sits on: the latest default branch if rebased, else the base commit."""
    rebased: bool
    """The default branch had moved and the fix was rebased onto it cleanly."""
    conflict: bool
    """The default branch had moved and the rebase conflicted; the fix stays on the base."""
    pushed: bool
    """False when the remote branch already pointed at ``commit`` (a retried step)."""


def _identity_env(author: tuple[str, str], timestamp: datetime) -> dict[str, str]:
    if timestamp.tzinfo is None:
        raise ValueError("push_fix needs a timezone-aware timestamp (the commit date)")
    date = f"@{int(timestamp.timestamp())} +0000"
    name, email = author
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": date,
    }


def _commit_patch(git: GitRunner, patch_file: Path, message: str, env: dict[str, str]) -> str:
    git.run(
        "apply",
        "--index",
        "--binary",
        str(patch_file),
        error=PatchWillNotApply,
        what="applying the approved patch to the base commit (re-run the coder on a fresh base)",
    )
    git.run("commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message, env=env)
    return git.run("rev-parse", "HEAD")


def _rebase(git: GitRunner, base: str, head: str, env: dict[str, str]) -> bool:
    """Move HEAD's one commit from ``base`` onto ``head``; False (HEAD unchanged) on conflict."""
    ours = git.run("rev-parse", "HEAD")
    try:
        git.run("rebase", "--quiet", "--no-gpg-sign", "--onto", head, base, env=env)
    except GitHostError:
        git.run("rebase", "--abort")
        return False
    if git.run("rev-parse", "HEAD") == head:
        # The change is already upstream, so the rebase dropped it: keep the fix as built.
        git.run("checkout", "--quiet", "--detach", ours)
        return False
    return True


def _remote_branch(git: GitRunner, clone_url: str, branch: str) -> str:
    listing = git.run(
        "ls-remote",
        clone_url,
        f"refs/heads/{branch}",
        error=PushRefused,
        what=f"reading branch {branch} of {clone_url}",
    )
    return listing.split("\t", 1)[0] if listing else ""


def push_fix(
    mirror: RepoMirror,
    clone_url: str,
    token: str,
    *,
    base_commit: str,
    patch: str,
    branch: str,
    message: str,
    author: tuple[str, str],
    default_branch: str,
    timestamp: datetime,
) -> PushResult:
    """Apply ``patch`` on ``base_commit``, rebase onto the latest default branch if possible,
    and make ``refs/heads/<branch>`` point at the result."""
    if not patch.strip():
        raise PatchWillNotApply(f"the patch for {branch} is empty: there is nothing to push")
    env = _identity_env(author, timestamp)
    head = mirror.fetch(clone_url, token, ref=default_branch)
    with tempfile.TemporaryDirectory(prefix="fixer-push-") as tmp:
        work = Path(tmp) / "work"
        mirror.worktree(clone_url, base_commit, work)
        patch_file = Path(tmp) / "fix.patch"
        patch_file.write_text(patch)
        git = GitRunner(work, token)
        commit = _commit_patch(git, patch_file, message, env)
        rebased = head != base_commit and _rebase(git, base_commit, head, env)
        conflict = head != base_commit and not rebased
        if rebased:
            commit = git.run("rev-parse", "HEAD")
        current = _remote_branch(git, clone_url, branch)
        if current != commit:
            # The branch is ours (fixer/issue-N): a previous attempt may have pushed a commit
            # rebased onto an older head; the lease replaces exactly that and nothing newer.
            try:
                git.run(
                    "push",
                    "--quiet",
                    f"--force-with-lease=refs/heads/{branch}:{current}",
                    clone_url,
                    f"HEAD:refs/heads/{branch}",
                    error=PushRefused,
                    what=f"pushing {branch} to {clone_url} (the token needs contents:write there)",
                )
            except PushRefused as exc:
                refusal = declined(str(exc), branch)
                if refusal is None:
                    raise
                raise refusal from None
    return PushResult(
        commit=commit,
        branch=branch,
        base=head if rebased else base_commit,
        rebased=rebased,
        conflict=conflict,
        pushed=current != commit,
    )
