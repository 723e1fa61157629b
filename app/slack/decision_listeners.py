"""Approve / Request changes / Reject: the button and modal listeners.

Each listener checks the clicker, records the decision and hands it to the run
(:func:`app.runs.decisions.submit_decision`: local writes, well within Slack's 3 s), and
only then acks, so a process killed mid-click never leaves Slack believing a decision the
run never got; the message updates follow the ack. Whatever goes wrong
for the person (not an approver, already decided, run over) is said to them alone, with
``chat.postEphemeral``, and changes nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.runs.decisions import DecisionAction, audit, pending_problem, submit_decision
from app.slack.approvers import is_approver
from app.slack.messages import (
    ACTION_APPROVE,
    ACTION_REJECT,
    ACTION_REQUEST_CHANGES,
    ApprovalStatus,
    Block,
)
from app.slack.modal import (
    CHANGES_CALLBACK,
    FEEDBACK_BLOCK,
    ChangesContext,
    changes_modal,
    feedback_from,
)
from app.slack.posting import mark_decided

log = logging.getLogger(__name__)

NOT_AN_APPROVER = (
    "Only Fixer approvers can decide on runs. Ask an admin to add your Slack user id to "
    "FIXER_APPROVERS (or, when that is empty, to invite you to the approval channel)."
)
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


async def _tell(
    client: AsyncWebClient, channel: str, user: str, text: str, thread_ts: str | None = None
) -> None:
    await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)


async def _allowed(settings: Settings, client: AsyncWebClient, click: Click) -> bool:
    if await is_approver(client, settings, click.user_id):
        return True
    audit(
        settings.database_url,
        click.user_id,
        "decision.unauthorized",
        click.run_id,
        round=click.round,
        source="slack",
        source_ref=click.action_id,
    )
    await _tell(client, click.channel, click.user_id, NOT_AN_APPROVER, click.thread_ts)
    return False


async def decide_from_button(
    settings: Settings,
    client: AsyncWebClient,
    body: dict[str, Any],
    action: DecisionAction,
    acknowledge: Ack,
) -> None:
    click = Click.from_body(body)
    if click is None:
        log.warning("ignored a Fixer button click with an unreadable payload")
        return
    if not await _allowed(settings, client, click):
        return
    outcome = await submit_decision(
        settings.database_url,
        click.run_id,
        click.round,
        action,
        click.user_id,
        click.user_name,
        "",
        "slack",
        click.action_id,
    )
    # Only now is the click durable (recorded and sent to the run): only now may Slack
    # hear it was received, so a process killed in between loses no decision.
    await acknowledge()
    if not outcome.accepted:
        await _tell(client, click.channel, click.user_id, outcome.message, click.thread_ts)
        return
    status = ApprovalStatus(
        state="approved" if action == "approve" else "rejected",
        actor_id=click.user_id,
        actor_name=click.user_name,
    )
    blocks = click.blocks
    if not blocks:  # a payload without the message: read it back from Slack
        context = ChangesContext(
            click.run_id, click.round, click.channel, click.message_ts, click.thread_ts
        )
        message = await _approval_message(client, context)
        blocks = list((message or {}).get("blocks") or [])
    if blocks:
        await mark_decided(
            client, click.channel, click.message_ts, blocks, click.run_id, click.round, status
        )


async def open_changes_modal(
    settings: Settings, client: AsyncWebClient, body: dict[str, Any]
) -> None:
    click = Click.from_body(body)
    if click is None or not await _allowed(settings, client, click):
        return
    problem = pending_problem(settings.database_url, click.run_id, click.round)
    if problem is not None:
        await _tell(client, click.channel, click.user_id, problem, click.thread_ts)
        return
    context = ChangesContext(
        click.run_id, click.round, click.channel, click.message_ts, click.thread_ts
    )
    await client.views_open(trigger_id=click.trigger_id, view=changes_modal(context))


async def _approval_message(
    client: AsyncWebClient, context: ChangesContext
) -> dict[str, Any] | None:
    if context.thread_ts:
        page = await client.conversations_replies(channel=context.channel, ts=context.thread_ts)
    else:
        page = await client.conversations_history(
            channel=context.channel, latest=context.message_ts, inclusive=True, limit=1
        )
    messages = page.get("messages") or []
    return next((m for m in messages if m.get("ts") == context.message_ts), None)


async def request_changes_from_modal(
    settings: Settings,
    client: AsyncWebClient,
    body: dict[str, Any],
    feedback: str,
    acknowledge: Ack,
) -> None:
    context = ChangesContext.from_metadata(body["view"]["private_metadata"])
    user_id, user_name = str(body["user"]["id"]), _user_name(body["user"])
    click = Click(
        context.run_id,
        context.round,
        ACTION_REQUEST_CHANGES,
        user_id,
        user_name,
        context.channel,
        context.message_ts,
        context.thread_ts,
        [],
        "",
    )
    if not await _allowed(settings, client, click):  # membership may have changed since
        return
    outcome = await submit_decision(
        settings.database_url,
        context.run_id,
        context.round,
        "request_changes",
        user_id,
        user_name,
        feedback,
        "slack",
        ACTION_REQUEST_CHANGES,
    )
    await acknowledge()  # the decision is durable: the modal may close
    if not outcome.accepted:
        await _tell(client, context.channel, user_id, outcome.message, context.thread_ts)
        return
    message = await _approval_message(client, context)
    if message is not None:
        status = ApprovalStatus(
            state="changes_requested", actor_id=user_id, actor_name=user_name, feedback=feedback
        )
        await mark_decided(
            client,
            context.channel,
            context.message_ts,
            list(message.get("blocks") or []),
            context.run_id,
            context.round,
            status,
        )


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
    async def on_approve(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        once = Ack(ack)
        try:
            await decide_from_button(settings, client, body, "approve", once)
        finally:
            await once()

    @app.action(ACTION_REJECT)
    async def on_reject(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        once = Ack(ack)
        try:
            await decide_from_button(settings, client, body, "reject", once)
        finally:
            await once()

    @app.action(ACTION_REQUEST_CHANGES)
    async def on_request_changes(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_changes_modal(settings, client, body)

    @app.view(CHANGES_CALLBACK)
    async def on_changes_submitted(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        feedback = feedback_from(body["view"])
        if not feedback.strip():
            # Slack shows the error under the field and keeps the modal open.
            await ack(response_action="errors", errors={FEEDBACK_BLOCK: EMPTY_FEEDBACK})
            return
        once = Ack(ack)
        try:
            await request_changes_from_modal(settings, client, body, feedback, once)
        finally:
            await once()
