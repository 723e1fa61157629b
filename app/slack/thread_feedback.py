"""A reply in the approval message's thread, from an approver, asks for changes.

Nobody has to open a modal: while a round waits for its decision, an approver's reply under
its approval message is "Request changes" with the reply's text as the feedback (it reaches
the coder fenced as a reviewer's words, like the modal's). Replies from anyone else, from
bots, edits and other subtypes change nothing. Needs the ``message.channels`` (and
``message.groups``) event subscription (https://docs.slack.dev/reference/events/message).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import Run, RunState
from app.slack.click_workflow import SlackDecision, start_decision

THREAD_REPLY = "thread_reply"
NOT_COUNTED = (
    "Only Fixer approvers' replies here count as a change request; yours was not sent to the run."
)
_COUNTED_SUBTYPES = (None, "thread_broadcast")
"""A plain reply, or one also sent to the channel; edits, deletions, joins are not feedback."""


def waiting_run(database_url: str, channel: str, approval_ts: str) -> Run | None:
    """The run whose current round's approval message is ``approval_ts``, while it waits."""
    with session_scope(database_url) as session:
        return session.exec(
            select(Run).where(
                Run.slack_channel == channel,
                Run.slack_thread_ts == approval_ts,
                Run.state == RunState.awaiting_approval,
            )
        ).first()


def feedback_reply(settings: Settings, event: dict[str, Any]) -> SlackDecision | None:
    """The change request a ``message`` event stands for, or None when it is none."""
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    user, text = event.get("user"), str(event.get("text") or "").strip()
    if event.get("subtype") not in _COUNTED_SUBTYPES or event.get("bot_id"):
        return None
    if not (thread_ts and ts and user and text) or thread_ts == ts:
        return None
    run = waiting_run(settings.database_url, str(event.get("channel")), str(thread_ts))
    if run is None:
        return None
    return SlackDecision(
        run_id=run.id,
        round=run.round,
        action="request_changes",
        user_id=str(user),
        channel=str(event["channel"]),
        message_ts=str(thread_ts),
        thread_ts=str(thread_ts),
        feedback=text,
        source_ref=THREAD_REPLY,
        event_id=str(ts),
        confirm_in_thread=True,
        refusal=NOT_COUNTED,
    )


def register_thread_feedback_listener(app: AsyncApp, settings: Settings) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        decision = feedback_reply(settings, event)
        if decision is not None:
            await start_decision(decision)
