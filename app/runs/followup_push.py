"""A follow-up round's commit on the PR branch: one new commit, never a force push.

The round was made on the branch head it fetched (``round_base``). By approval people may
have pushed on top: the patch is then applied onto the new head with a three-way merge,
and on conflict nothing is pushed. The commit message carries ``Fixer-Round: <id>``, so a
step re-run after its push finds the commit on the branch instead of pushing again; and
the step looks at the pull request first, so nothing lands on a closed PR.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dbos import DBOS

from app.bot_identity import bot_identity
from app.git_host import GitHostError, GitRunner, PushRefused
from app.git_mirror import RepoMirror
from app.git_push import _identity_env, declined
from app.github import PUSH_AND_PR, Permission
from app.runs import pr_lineage
from app.runs.artifacts import get_artifact
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.step_errors import recordable_errors

TRAILER = "Fixer-Round"


@dataclass(frozen=True)
class RoundPush:
    commit: str = ""
    """The round's commit on the branch ('' when nothing was pushed)."""
    head: str = ""
    """The branch head the commit sits on (or that conflicted)."""
    pushed: bool = False
    """False when a re-run found its commit already on the branch."""
    rebased: bool = False
    """The branch had moved since the round started; the patch was applied onto it."""
    conflict: bool = False
    closed: bool = False
    """The PR was closed or merged before the push: nothing was pushed."""


def _find_commit(git: GitRunner, since: str, head: str, trailer: str) -> str:
    """The commit in ``since..head`` whose message carries ``trailer``, or ''."""
    log = git.run("log", "--format=%H%x00%B%x01", f"{since}..{head}")
    for entry in log.split("\x01"):
        sha, _, body = entry.strip().partition("\x00")
        if trailer in body.splitlines():
            return sha
    return ""


def push_round(
    mirror: RepoMirror,
    clone_url: str,
    token: str,
    *,
    branch: str,
    round_base: str,
    patch: str,
    message: str,
    round_key: str,
    author: tuple[str, str],
    timestamp: datetime,
) -> RoundPush:
    """Put the round's patch on ``branch`` as one new commit (see the module docstring)."""
    trailer = f"{TRAILER}: {round_key}"
    head = mirror.fetch(clone_url, token, ref=branch)
    found = _find_commit(GitRunner(mirror.path(clone_url)), round_base, head, trailer)
    if found:
        return RoundPush(commit=found, head=head)
    env = _identity_env(author, timestamp)
    with tempfile.TemporaryDirectory(prefix="fixer-followup-") as tmp:
        work = Path(tmp) / "work"
        mirror.worktree(clone_url, head, work)
        patch_file = Path(tmp) / "round.patch"
        patch_file.write_text(patch)
        git = GitRunner(work, token)
        how = ["--index"] if head == round_base else ["--3way", "--index"]
        try:
            git.run("apply", *how, "--binary", str(patch_file))
        except GitHostError:
            return RoundPush(head=head, conflict=True)
        full = f"{message}\n\n{trailer}"
        git.run("commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", full, env=env)
        commit = git.run("rev-parse", "HEAD")
        try:
            # A plain push: it only moves the branch forward from ``head``. If someone pushed
            # meanwhile, GitHub refuses it and the retried step starts again from the new head.
            git.run(
                "push",
                "--quiet",
                clone_url,
                f"HEAD:refs/heads/{branch}",
                error=PushRefused,
                what=f"pushing the follow-up commit to {branch} of {clone_url}",
            )
        except PushRefused as exc:
            refusal = declined(str(exc), branch)
            if refusal is not None and "fetch first" not in str(exc):
                raise refusal from None
            raise
    return RoundPush(commit=commit, head=head, pushed=True, rebased=head != round_base)


@DBOS.step(name="followup_push", **GITHUB_STEP)
@recordable_errors
async def push_round_step(
    lineage: dict[str, Any],
    *,
    round_base: str,
    patch_sha: str,
    message: str,
    round_key: str,
    workflows: bool,
    timestamp: str,
) -> dict[str, Any]:
    """Look before acting: the PR still open (our record and GitHub's), then push."""
    ctx = current()
    repo, number = lineage["repo_full_name"], lineage["pr_number"]
    installation = lineage["installation_id"]
    ours = pr_lineage.get_lineage(ctx.settings.database_url, repo, number)
    owner, name = repo.split("/", 1)
    gh = ctx.github.for_repo(installation, repo, PUSH_AND_PR)
    pull = (await gh.arequest("GET", f"/repos/{owner}/{name}/pulls/{number}")).json()
    if ours is None or ours.state != "open" or pull.get("state") != "open":
        return asdict(RoundPush(closed=True))
    scope: dict[str, Permission] = {"contents": "write", "metadata": "read"}
    if workflows:
        scope["workflows"] = "write"
    token = await ctx.github.mint_token(installation, repo, scope)
    author = await bot_identity(ctx.github, installation, repo)
    patch = get_artifact(ctx.settings.database_url, patch_sha).decode()
    result = await asyncio.to_thread(
        push_round,
        RepoMirror(ctx.settings.fixer_cache_dir / "mirrors"),
        lineage["clone_url"],
        token,
        branch=lineage["head_ref"],
        round_base=round_base,
        patch=patch,
        message=message,
        round_key=round_key,
        author=author,
        timestamp=datetime.fromisoformat(timestamp),
    )
    return asdict(result)
