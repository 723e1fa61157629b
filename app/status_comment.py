"""The run's one status comment on the issue: created once, then edited as the run moves.

Steps are at-least-once, so creation looks the comment up by its hidden marker first: a
step retried after GitHub created the comment (but before the step was recorded) finds
it and edits it instead of posting a second one.

A maintainer may delete the comment (GitHub then answers 404 to the edit). The run posts it
again once, found by its marker first so a retry does not post two; a second deletion is a
refusal (:class:`GitHubRefused`): the run goes on telling Slack only.
Bodies are cut to GitHub's 65,536-character limit (:mod:`app.github_limits`).
"""

from __future__ import annotations

from typing import Any

from githubkit.exception import RequestFailed

from app.errors import GitHubRefused
from app.github import COMMENT, GitHubApp
from app.github_limits import fit


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
    *,
    recreate: bool = True,
    more_url: str | None = None,
) -> dict[str, Any]:
    """Create or edit the run's status comment; returns ``{"id", "html_url", "recreated"}``.

    ``recreate``: post the comment again if it was deleted (else that is a refusal).
    ``more_url``: where the full text is, named when the body has to be cut.
    """
    owner, repo = repo_full_name.split("/", 1)
    gh = github.for_repo(installation_id, repo_full_name, COMMENT)
    full_body = fit(body, url=more_url, keep_tail=f"\n\n{marker(run_id)}")
    recreated = False
    if comment_id is not None:
        try:
            response = await gh.arequest(
                "PATCH",
                f"/repos/{owner}/{repo}/issues/comments/{comment_id}",
                json={"body": full_body},
            )
        except RequestFailed as exc:
            if exc.response.status_code != 404:
                raise
            if not recreate:
                raise GitHubRefused(
                    f"the status comment on {repo_full_name}#{issue} was deleted again "
                    "(GitHub answers 404 to editing it); Fixer no longer posts it"
                ) from None
            comment_id, recreated = None, True
        else:
            data = response.json()
            return {"id": data["id"], "html_url": data.get("html_url", ""), "recreated": False}
    existing = await find_status_comment(github, installation_id, repo_full_name, issue, run_id)
    if existing is not None:
        response = await gh.arequest(
            "PATCH",
            f"/repos/{owner}/{repo}/issues/comments/{existing['id']}",
            json={"body": full_body},
        )
    else:
        response = await gh.arequest(
            "POST", f"/repos/{owner}/{repo}/issues/{issue}/comments", json={"body": full_body}
        )
    data = response.json()
    return {"id": data["id"], "html_url": data.get("html_url", ""), "recreated": recreated}
