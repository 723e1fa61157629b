"""What GitHub says about a piece of PR feedback: the round's reading of reviews and comments.

A :class:`~app.runs.feedback.FeedbackEvent` is what a webhook showed when it arrived; by the
time a round reads it, a comment may have been edited or deleted and the PR may have moved.
So everything is read again here, with a token that can only read: a review with all its
inline comments (each with its file, line range and diff hunk), a comment's current text,
and failing checks (:mod:`app.runs.check_failures`). What no longer applies comes back
``stale`` with a ``note`` saying why, for the round to report instead of acting on.
"""

from __future__ import annotations

from typing import Any

from githubkit import GitHub
from githubkit.exception import RequestFailed

from app.github import GitHubApp, Permission
from app.runs.check_failures import gather_checks
from app.runs.feedback import FeedbackEvent, FeedbackItem, ReviewThread
from app.runs.github_pages import all_pages
from webhooks.pr_triggers import mentions_in
from webhooks.triggers import FIX_COMMAND

READ_FEEDBACK: dict[str, Permission] = {
    "pull_requests": "read",
    "issues": "read",
    "checks": "read",
    "actions": "read",
    "metadata": "read",
}
"""Reviews and PR comments, check runs, Actions jobs and their logs: read, nothing more."""


async def gather_feedback(github: GitHubApp, event: FeedbackEvent) -> FeedbackItem:
    """``event`` filled in from GitHub as it is now."""
    gh = github.for_repo(event.installation_id, event.repo_full_name, READ_FEEDBACK)
    if event.kind == "review":
        return await _review(gh, event)
    if event.kind == "comment":
        return await _comment(gh, event)
    return await gather_checks(gh, event)


def _repo_path(event: FeedbackEvent) -> str:
    return f"/repos/{event.repo_full_name}"


async def _get_or_none(gh: GitHub[Any], path: str) -> dict[str, Any] | None:
    """``GET path``, or None when GitHub answers 404 (deleted since the webhook)."""
    try:
        return dict((await gh.arequest("GET", path)).json())
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise


async def _review(gh: GitHub[Any], event: FeedbackEvent) -> FeedbackItem:
    pull = f"{_repo_path(event)}/pulls/{event.pr_number}"
    review = await _get_or_none(gh, f"{pull}/reviews/{event.source_id}")
    if review is None:
        return FeedbackItem(event=event, stale=True, note="the review no longer exists")
    if str(review.get("state") or "").upper() == "DISMISSED":
        return FeedbackItem(event=event, stale=True, note="the review was dismissed")
    comments = await all_pages(gh, f"{pull}/reviews/{event.source_id}/comments")
    threads = [_thread(c) for c in comments]
    current = event.model_copy(update={"text": str(review.get("body") or "")})
    return FeedbackItem(event=current, threads=threads)


def _thread(comment: dict[str, Any]) -> ReviewThread:
    """One inline comment as a thread to answer.

    A review may answer in an existing thread: its comment then has ``in_reply_to_id``, and
    the thread to reply in is that top-level comment's ("Replies to replies are not
    supported": https://docs.github.com/en/rest/pulls/comments#create-a-reply-for-a-review-comment).
    ``line`` is null once the lines left the diff (an outdated comment): the original
    position is where the reviewer pointed.
    """
    line = comment.get("line") or comment.get("original_line")
    start = comment.get("start_line") or comment.get("original_start_line")
    return ReviewThread(
        comment_id=int(comment.get("in_reply_to_id") or comment["id"]),
        path=str(comment.get("path") or ""),
        start_line=start,
        line=line,
        diff_hunk=str(comment.get("diff_hunk") or ""),
        body=str(comment.get("body") or ""),
        author=str((comment.get("user") or {}).get("login") or ""),
    )


async def _comment(gh: GitHub[Any], event: FeedbackEvent) -> FeedbackItem:
    """The comment as it reads now: an edit counts, a deletion or an edit that took the
    ``/fix`` and every mention out leaves nothing to do."""
    # Listed from the PR's conversation rather than fetched by id: the list needs only the
    # PR's own read permission, and a comment missing from it was deleted.
    comments = await all_pages(gh, f"{_repo_path(event)}/issues/{event.pr_number}/comments")
    found = next((c for c in comments if c.get("id") == event.source_id), None)
    if found is None:
        return FeedbackItem(event=event, stale=True, note="the comment was deleted")
    body = str(found.get("body") or "")
    command = FIX_COMMAND.match(body)
    mentions = mentions_in(body)
    if command is None and not mentions:
        return FeedbackItem(
            event=event, stale=True, note="the comment was edited and no longer asks Fixer"
        )
    text = (command.group("instructions") or "").strip() if command else body
    current = event.model_copy(
        update={"text": text, "command": command is not None, "mentions": mentions}
    )
    return FeedbackItem(event=current)
