"""After approval: push ``fixer/issue-N`` from the host, then open (or find) the PR."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from dbos import DBOS

from app.bot_identity import bot_identity
from app.git_mirror import RepoMirror
from app.git_push import push_fix
from app.runs.artifacts import get_artifact
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.step_errors import recordable_errors
from app.timeline import recorder


def branch_for(issue_number: int) -> str:
    return f"fixer/issue-{issue_number}"


@DBOS.step(name="push_branch", **GITHUB_STEP)
@recordable_errors
async def push_branch_step(
    installation_id: int,
    repo_full_name: str,
    clone_url: str,
    *,
    issue_number: int,
    issue_title: str,
    base_commit: str,
    patch_sha: str,
    default_branch: str,
    timestamp: str,
) -> dict[str, Any]:
    """Apply the approved patch and push it with a contents:write token for this repo only."""
    settings = current().settings
    patch = get_artifact(settings.database_url, patch_sha).decode()
    token = await current().github.mint_token(
        installation_id, repo_full_name, {"contents": "write", "metadata": "read"}
    )
    # Looked up here, not fixed: commits by `{id}+{slug}[bot]@users.noreply…` show as the App's.
    author = await bot_identity(current().github, installation_id, repo_full_name)
    mirror = RepoMirror(settings.fixer_cache_dir / "mirrors")
    result = await asyncio.to_thread(
        push_fix,
        mirror,
        clone_url,
        token,
        base_commit=base_commit,
        patch=patch,
        branch=branch_for(issue_number),
        message=f"Fix #{issue_number}: {issue_title}\n\nFixes #{issue_number}",
        author=author,
        default_branch=default_branch,
        timestamp=datetime.fromisoformat(timestamp),
    )
    recorder.note_push(repo_full_name, issue_number, branch_for(issue_number))
    return dataclasses.asdict(result)


@DBOS.step(name="open_pull_request", **GITHUB_STEP)
@recordable_errors
async def open_pull_request_step(
    installation_id: int,
    repo_full_name: str,
    *,
    issue_number: int,
    title: str,
    body: str,
    base: str,
) -> dict[str, Any]:
    """The PR for the fix branch: looked up by head first, so a retry never opens two."""
    github = current().github
    branch = branch_for(issue_number)
    existing = await github.find_pull(installation_id, repo_full_name, branch)
    if existing is None:
        existing = await github.create_pull(
            installation_id, repo_full_name, branch=branch, base=base, title=title, body=body
        )
    recorder.note_pull(repo_full_name, issue_number, existing["html_url"])
    return {"number": existing["number"], "html_url": existing["html_url"]}
