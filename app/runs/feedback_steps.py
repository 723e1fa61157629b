"""The follow-up round's GitHub steps for feedback: read it in full, answer in its threads.

Both look before they act, so they retry like the run's other GitHub steps
(:data:`app.runs.github_steps.GITHUB_STEP`); a 4xx that retrying cannot change becomes a
refusal (:func:`app.runs.step_errors.recordable_errors`) with GitHub's words.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.runs.context import current
from app.runs.feedback import FeedbackEvent
from app.runs.feedback_sources import gather_feedback
from app.runs.github_steps import GITHUB_STEP
from app.runs.step_errors import recordable_errors
from app.runs.thread_replies import reply_in_threads


@DBOS.step(name="gather_feedback", **GITHUB_STEP)
@recordable_errors
async def gather_feedback_step(event: dict[str, Any]) -> dict[str, Any]:
    """A :class:`~app.runs.feedback.FeedbackEvent` dump in, a
    :class:`~app.runs.feedback.FeedbackItem` dump out (threads, failing checks, ``stale``)."""
    item = await gather_feedback(current().github, FeedbackEvent.model_validate(event))
    return item.model_dump(mode="json")


@DBOS.step(name="reply_in_threads", **GITHUB_STEP)
@recordable_errors
async def reply_in_threads_step(
    installation_id: int, repo_full_name: str, pr_number: int, replies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``replies``: ``{"comment_id", "body"[, "key"]}`` each; posted once however often the
    step runs (see :mod:`app.runs.thread_replies`)."""
    return await reply_in_threads(
        current().github, installation_id, repo_full_name, pr_number, replies
    )
