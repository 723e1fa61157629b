"""Fixer's comments in a pull request's conversation, each found by its hidden marker.

Steps are at-least-once: a comment is looked up by its marker before it is created, so a
step retried after GitHub made the comment edits it instead of posting a second one. The
PR's status comment (``<!-- fixer-followup:owner/repo#N -->``) is one per PR, edited as
rounds move; each round's reply (``<!-- fixer-followup-reply:ROUND -->``) is one per round.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.github import COMMENT
from app.github_limits import fit
from app.runs import pr_lineage
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.step_errors import recordable_errors


def status_marker(repo_full_name: str, pr_number: int) -> str:
    return f"<!-- fixer-followup:{repo_full_name}#{pr_number} -->"


def reply_marker(round_id: str, round: int) -> str:
    return f"<!-- fixer-followup-reply:{round_id}:{round} -->"


async def upsert_marked_comment(
    installation_id: int, repo_full_name: str, number: int, marker: str, body: str
) -> dict[str, Any]:
    """Create or edit the comment on ``number`` that carries ``marker``."""
    owner, repo = repo_full_name.split("/", 1)
    gh = current().github.for_repo(installation_id, repo_full_name, COMMENT)
    text = fit(body, keep_tail=f"\n\n{marker}")
    page, found = 1, None
    while found is None:
        response = await gh.arequest(
            "GET",
            f"/repos/{owner}/{repo}/issues/{number}/comments",
            params={"per_page": 100, "page": page},
        )
        comments = response.json()
        found = next((c for c in comments if marker in (c.get("body") or "")), None)
        if len(comments) < 100:
            break
        page += 1
    if found is not None:
        response = await gh.arequest(
            "PATCH", f"/repos/{owner}/{repo}/issues/comments/{found['id']}", json={"body": text}
        )
    else:
        response = await gh.arequest(
            "POST", f"/repos/{owner}/{repo}/issues/{number}/comments", json={"body": text}
        )
    data = response.json()
    return {"id": data["id"], "html_url": data.get("html_url", "")}


@DBOS.step(name="followup_status_comment", **GITHUB_STEP)
@recordable_errors
async def pr_status_step(
    installation_id: int, repo_full_name: str, pr_number: int, body: str
) -> dict[str, Any]:
    """The PR's own status comment, edited like the issue's."""
    comment = await upsert_marked_comment(
        installation_id, repo_full_name, pr_number, status_marker(repo_full_name, pr_number), body
    )
    pr_lineage.update_lineage(
        current().settings.database_url,
        repo_full_name,
        pr_number,
        status_comment_id=comment["id"],
    )
    return comment


@DBOS.step(name="followup_reply", **GITHUB_STEP)
@recordable_errors
async def pr_reply_step(
    installation_id: int, repo_full_name: str, pr_number: int, marker: str, body: str
) -> dict[str, Any]:
    """One reply in the PR conversation per marker (a round's summary, a notice)."""
    return await upsert_marked_comment(installation_id, repo_full_name, pr_number, marker, body)
