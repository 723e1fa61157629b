"""Approve / Request changes / Reject: the button and modal listeners.

Slack gives an interaction 3 seconds. A click or a modal submission is made durable first
(a DBOS workflow is started: one local insert) and acked at once; who clicked, whether the
round is still open, and the message update are decided after the ack by
:mod:`app.slack.click_workflow`. Whatever goes wrong for the person (not an approver,
already decided, run over) is said to them alone, with ``chat.postEphemeral``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.runs.decisions import DecisionAction, pending_problem
from app.slack.approvers import is_approver
from app.slack.click_workflow import NOT_AN_APPROVER, SlackDecision, start_decision
from app.slack.messages import (
    ACTION_APPROVE,
    ACTION_REJECT,
    ACTION_REQUEST_CHANGES,
    Block,
)
from app.slack.modal import (
    CHANGES_CALLBACK,
    FEEDBACK_BLOCK,
    ChangesContext,
    changes_modal,
    feedback_from,
)

log = logging.getLogger(__name__)

__all__ = ["NOT_AN_APPROVER", "register_decision_listeners"]
EMPTY_FEEDBACK = "Tell Fixer what to change: the feedback cannot be empty."


@dataclass(frozen=True)
class Click:
    """A click on one of our approval buttons, read from a ``block_actions`` payload."""

    run_id: str
    round: int
    action_id: str
    user_id: str
    user_name: str
    channel: str
    message_ts: str
    thread_ts: str | None
    blocks: list[Block]
    trigger_id: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Click | None:
        try:
            action = body["actions"][0]
            value = json.loads(action["value"])
            container = body.get("container") or {}
            message = body.get("message") or {}
            message_ts = str(container.get("message_ts") or message["ts"])
            # A parent message reports its own ts as thread_ts once it has replies.
            thread_ts = message.get("thread_ts")
            return cls(
                run_id=str(value["run_id"]),
                round=int(value["round"]),
                action_id=str(action["action_id"]),
                user_id=str(body["user"]["id"]),
                user_name=_user_name(body["user"]),
                channel=str(container.get("channel_id") or body["channel"]["id"]),
                message_ts=message_ts,
                thread_ts=thread_ts if thread_ts and thread_ts != message_ts else None,
                blocks=list(message.get("blocks") or []),
                trigger_id=str(body.get("trigger_id") or ""),
            )
        except (KeyError, IndexError, TypeError, ValueError):
            return None


def _user_name(user: dict[str, Any]) -> str:
    return str(user.get("username") or user.get("name") or "")


def _decision(
    click: Click, action: DecisionAction, body: dict[str, Any], feedback: str = ""
) -> SlackDecision:
    action_ts = str(((body.get("actions") or [{}])[0]).get("action_ts") or "")
    return SlackDecision(
        run_id=click.run_id,
        round=click.round,
        action=action,
        user_id=click.user_id,
        user_name=click.user_name,
        channel=click.channel,
        message_ts=click.message_ts,
        thread_ts=click.thread_ts,
        feedback=feedback,
        source_ref=click.action_id,
        # Slack stamps each click (``action_ts``); the user and button make it unique even
        # where a payload's stamp is copied.
        event_id=f"{action_ts}:{click.user_id}:{click.action_id}",
        blocks=click.blocks,
    )


async def decide_from_button(body: dict[str, Any], action: DecisionAction, ack: Ack) -> None:
    """Record the click durably, ack, and let :mod:`app.slack.click_workflow` decide."""
    click = Click.from_body(body)
    if click is None:
        log.warning("ignored a Fixer button click with an unreadable payload")
        return
    await start_decision(_decision(click, action, body))
    await ack()  # the click is durable: a process killed now resumes deciding on restart


async def open_changes_modal(
    settings: Settings, client: AsyncWebClient, body: dict[str, Any]
) -> None:
    """The modal first (its trigger expires 3 s after the click), the approver check after:
    a non-approver hears so at once, and their submission is refused anyway."""
    click = Click.from_body(body)
    if click is None:
        return
    problem = pending_problem(settings.database_url, click.run_id, click.round)  # local read
    if problem is not None:
        await _tell(client, click, problem)
        return
    context = ChangesContext(
        click.run_id, click.round, click.channel, click.message_ts, click.thread_ts
    )
    await client.views_open(trigger_id=click.trigger_id, view=changes_modal(context))
    if not await is_approver(client, settings, click.user_id):
        await _tell(client, click, NOT_AN_APPROVER)


async def _tell(client: AsyncWebClient, click: Click, text: str) -> None:
    await client.chat_postEphemeral(
        channel=click.channel, user=click.user_id, text=text, thread_ts=click.thread_ts
    )


async def request_changes_from_modal(body: dict[str, Any], feedback: str, ack: Ack) -> None:
    context = ChangesContext.from_metadata(body["view"]["private_metadata"])
    decision = SlackDecision(
        run_id=context.run_id,
        round=context.round,
        action="request_changes",
        user_id=str(body["user"]["id"]),
        user_name=_user_name(body["user"]),
        channel=context.channel,
        message_ts=context.message_ts,
        thread_ts=context.thread_ts,
        feedback=feedback,
        source_ref=ACTION_REQUEST_CHANGES,
        event_id=str(body["view"].get("id") or body["view"].get("hash") or body["user"]["id"]),
    )
    await start_decision(decision)
    await ack()  # the submission is durable: the modal may close


class Ack:
    """Bolt's ``ack``, sent once: after the decision is durable, or at the latest when the
    listener ends (refusals, unreadable payloads)."""

    def __init__(self, ack: Any) -> None:
        self._ack = ack
        self._sent = False

    async def __call__(self) -> None:
        if not self._sent:
            self._sent = True
            await self._ack()


def register_decision_listeners(app: AsyncApp, settings: Settings) -> None:
    @app.action(ACTION_APPROVE)
    async def on_approve(ack: Any, body: dict[str, Any]) -> None:
        once = Ack(ack)
        try:
            await decide_from_button(body, "approve", once)
        finally:
            await once()

    @app.action(ACTION_REJECT)
    async def on_reject(ack: Any, body: dict[str, Any]) -> None:
        once = Ack(ack)
        try:
            await decide_from_button(body, "reject", once)
        finally:
            await once()

    @app.action(ACTION_REQUEST_CHANGES)
    async def on_request_changes(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_changes_modal(settings, client, body)

    @app.view(CHANGES_CALLBACK)
    async def on_changes_submitted(ack: Any, body: dict[str, Any]) -> None:
        feedback = feedback_from(body["view"])
        if not feedback.strip():
            # Slack shows the error under the field and keeps the modal open.
            await ack(response_action="errors", errors={FEEDBACK_BLOCK: EMPTY_FEEDBACK})
            return
        once = Ack(ack)
        try:
            await request_changes_from_modal(body, feedback, once)
        finally:
            await once()
