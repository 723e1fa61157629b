"""Replies in the inline review threads a round addressed, each posted exactly once.

Steps are at-least-once: a reply whose POST succeeded but whose step was not recorded would
be posted again on the retry. So every reply carries a hidden marker
``<!-- fixer-reply:<key> -->``, and the PR's review comments are searched for it before
posting (https://docs.github.com/en/rest/pulls/comments#list-review-comments-on-a-pull-request,
then #create-a-reply-for-a-review-comment).
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.github import GitHubApp, Permission
from app.github_limits import fit
from app.runs.github_pages import all_pages

REPLY: dict[str, Permission] = {"pull_requests": "write", "metadata": "read"}


def reply_marker(key: str) -> str:
    return f"<!-- fixer-reply:{key} -->"


def reply_key(reply: dict[str, Any]) -> str:
    """The reply's own ``key``, or one made of its thread and text: the same reply asked
    for twice is one reply, a new round's reply in the same thread is another."""
    if reply.get("key"):
        return str(reply["key"])
    digest = hashlib.sha256(str(reply["body"]).encode()).hexdigest()[:16]
    return f"{reply['comment_id']}:{digest}"


async def reply_in_threads(
    github: GitHubApp,
    installation_id: int,
    repo_full_name: str,
    pr_number: int,
    replies: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Post each ``{"comment_id", "body"[, "key"]}`` reply that is not on the PR yet.

    Returns, per reply in order, ``{"comment_id", "id", "html_url", "posted"}``
    (``posted`` false when an earlier attempt had already posted it).
    """
    gh = github.for_repo(installation_id, repo_full_name, REPLY)
    pull = f"/repos/{repo_full_name}/pulls/{pr_number}"
    existing: dict[str, dict[str, Any]] = {}
    if replies:
        for comment in await all_pages(gh, f"{pull}/comments"):
            body = str(comment.get("body") or "")
            for reply in replies:
                if reply_marker(reply_key(reply)) in body:
                    existing[reply_key(reply)] = comment
    results: list[dict[str, Any]] = []
    for reply in replies:
        key = reply_key(reply)
        found = existing.get(key)
        posted = found is None
        if found is None:
            text = fit(str(reply["body"]), keep_tail=f"\n\n{reply_marker(key)}")
            response = await gh.arequest(
                "POST",
                f"{pull}/comments/{int(reply['comment_id'])}/replies",
                json={"body": text},
            )
            found = existing[key] = dict(response.json())
        results.append(
            {
                "comment_id": int(reply["comment_id"]),
                "id": found["id"],
                "html_url": found.get("html_url", ""),
                "posted": posted,
            }
        )
    return results
