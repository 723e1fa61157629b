"""After approval: push ``fixer/issue-N`` from the host, then open (or find) the PR.

Each attempt on an issue has a branch of its own (``fixer/issue-N`` for the first,
``fixer/issue-N-2`` for the second, ...): the PR is looked up by head branch before it is
opened, and a later attempt must never find the earlier attempt's closed or merged PR.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from dbos import DBOS
from githubkit.exception import RequestFailed

from app.bot_identity import bot_identity
from app.git_mirror import RepoMirror
from app.git_push import push_fix
from app.github import PUSH_AND_PR, Permission
from app.github_limits import fit
from app.runs.artifacts import get_artifact
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.step_errors import recordable_errors
from app.timeline import recorder


def branch_for(issue_number: int, attempt: int = 1) -> str:
    """The fix branch of an attempt; the first keeps the plain name existing runs use."""
    suffix = "" if attempt <= 1 else f"-{attempt}"
    return f"fixer/issue-{issue_number}{suffix}"


def attempt_of(run_id: str) -> int:
    """The attempt number in a run id ``owner/repo#N:attempt`` (1 when it carries none)."""
    _, _, attempt = run_id.rpartition(":")
    return int(attempt) if attempt.isdigit() else 1


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
    attempt: int = 1,
    workflows: bool = False,
    patch_sha: str,
    default_branch: str,
    timestamp: str,
) -> dict[str, Any]:
    """Apply the approved patch and push it with a contents:write token for this repo only."""
    settings = current().settings
    patch = get_artifact(settings.database_url, patch_sha).decode()
    branch = branch_for(issue_number, attempt)
    scope: dict[str, Permission] = {"contents": "write", "metadata": "read"}
    if workflows:
        # The repository opted in (`allow_workflow_changes`): the App must hold it too.
        scope["workflows"] = "write"
    token = await current().github.mint_token(installation_id, repo_full_name, scope)
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
        branch=branch,
        message=f"Fix #{issue_number}: {issue_title}\n\nFixes #{issue_number}",
        author=author,
        default_branch=default_branch,
        timestamp=datetime.fromisoformat(timestamp),
    )
    recorder.note_push(repo_full_name, issue_number, branch)
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
    attempt: int = 1,
    more_url: str | None = None,
    draft: bool = False,
) -> dict[str, Any]:
    """The PR for this attempt's branch: looked up by head first, so a retry never opens two.

    A draft where the repository's plan has none (GitHub Free offers drafts on public
    repositories only) is refused with a 422: the PR then opens ready for review, and
    ``draft_refused`` says so.
    """
    github = current().github
    branch = branch_for(issue_number, attempt)
    body = fit(body, url=more_url)
    refused = False
    existing = await github.find_pull(installation_id, repo_full_name, branch)
    if existing is None:
        fields = {"title": title, "head": branch, "base": base, "body": body}
        try:
            existing = await _create_pull(installation_id, repo_full_name, fields, draft)
        except RequestFailed as exc:
            if not (draft and _drafts_unsupported(exc)):
                raise
            refused = True
            existing = await _create_pull(installation_id, repo_full_name, fields, False)
    recorder.note_pull(repo_full_name, issue_number, existing["html_url"])
    return {
        "number": existing["number"],
        "html_url": existing["html_url"],
        "draft": bool(existing.get("draft")),
        "draft_refused": refused,
    }


async def _create_pull(
    installation_id: int, repo_full_name: str, fields: dict[str, str], draft: bool
) -> dict[str, Any]:
    """``POST /pulls`` (https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request)."""
    owner, name = repo_full_name.split("/", 1)
    gh = current().github.for_repo(installation_id, repo_full_name, PUSH_AND_PR)
    path = f"/repos/{owner}/{name}/pulls"
    response = await gh.arequest("POST", path, json={**fields, "draft": draft})
    return dict(response.json())


def _drafts_unsupported(exc: RequestFailed) -> bool:
    """GitHub's 422 for a draft the repository cannot have (its message names drafts)."""
    return exc.response.status_code == 422 and "draft" in exc.response.text.lower()
