"""The run's one status comment on the issue: created once, then edited as the run moves.

Steps are at-least-once, so creation looks the comment up by its hidden marker first: a
step retried after GitHub created the comment (but before the step was recorded) finds
it and edits it instead of posting a second one.
"""

from __future__ import annotations

from typing import Any

from app.github import COMMENT, GitHubApp


def marker(run_id: str) -> str:
    return f"<!-- fixer-run:{run_id} -->"


async def find_status_comment(
    github: GitHubApp, installation_id: int, repo_full_name: str, issue: int, run_id: str
) -> dict[str, Any] | None:
    """The comment carrying this run's marker, if one exists."""
    owner, repo = repo_full_name.split("/", 1)
    gh = github.for_repo(installation_id, repo_full_name, COMMENT)
    tag = marker(run_id)
    page = 1
    while True:
        response = await gh.arequest(
            "GET",
            f"/repos/{owner}/{repo}/issues/{issue}/comments",
            params={"per_page": 100, "page": page},
        )
        comments = response.json()
        for comment in comments:
            if tag in (comment.get("body") or ""):
                return dict(comment)
        if len(comments) < 100:
            return None
        page += 1


async def upsert_status_comment(
    github: GitHubApp,
    installation_id: int,
    repo_full_name: str,
    issue: int,
    run_id: str,
    body: str,
    comment_id: int | None = None,
) -> dict[str, Any]:
    """Create or edit the run's status comment; returns ``{"id", "html_url"}``."""
    owner, repo = repo_full_name.split("/", 1)
    gh = github.for_repo(installation_id, repo_full_name, COMMENT)
    full_body = f"{body}\n\n{marker(run_id)}"
    if comment_id is None:
        existing = await find_status_comment(github, installation_id, repo_full_name, issue, run_id)
        comment_id = existing["id"] if existing else None
    if comment_id is None:
        response = await gh.arequest(
            "POST", f"/repos/{owner}/{repo}/issues/{issue}/comments", json={"body": full_body}
        )
    else:
        response = await gh.arequest(
            "PATCH", f"/repos/{owner}/{repo}/issues/comments/{comment_id}", json={"body": full_body}
        )
    data = response.json()
    return {"id": data["id"], "html_url": data.get("html_url", "")}
