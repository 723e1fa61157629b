"""A decision from Slack, made durable before Slack hears back, decided after.

Slack waits 3 seconds for an interaction's answer
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response), and
looking up approvers (``conversations.members``) or updating the message can take longer. So
a listener only starts this workflow (one durable insert) and acks; the workflow then checks
the person, records the decision and sends it to the run, and updates Slack. A process killed
after the ack loses nothing: DBOS resumes the workflow when the service comes back.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS, SetWorkflowID
from pydantic import BaseModel

from app.runs.context import current
from app.runs.decisions import DecisionAction, audit, submit_decision
from app.runs.step_errors import recordable_errors
from app.slack.approvers import is_approver
from app.slack.client import build_web_client as web_client
from app.slack.messages import ApprovalStatus
from app.slack.posting import approval_message, mark_decided

NOT_AN_APPROVER = (
    "Only Fixer approvers can decide on runs. Ask an admin to add your Slack user id to "
    "FIXER_APPROVERS (or, when that is empty, to invite you to the approval channel)."
)
_STATES = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}
# Slack calls retry like the run's Slack steps: a hiccup must not lose a decision.
_SLACK_STEP: dict[str, Any] = {"retries_allowed": True, "max_attempts": 6, "backoff_rate": 2.0}


class SlackDecision(BaseModel):
    """One person's decision from Slack: a click, a modal, or a reply in the thread."""

    run_id: str
    round: int
    action: DecisionAction
    user_id: str
    user_name: str = ""
    channel: str
    message_ts: str
    thread_ts: str | None = None
    """Where a refusal is said (ephemeral), when the message is itself a reply."""
    feedback: str = ""
    source_ref: str
    """The button's action id, the modal's callback id, or ``thread_reply``."""
    event_id: str
    """What Slack sent (an action's ``action_ts``, a view id, a message ts): one workflow each."""
    blocks: list[dict[str, Any]] = []
    confirm_in_thread: bool = False
    """Say in the approval message's thread that the decision was taken (thread replies)."""
    refusal: str = NOT_AN_APPROVER
    """What a person who may not decide is told (privately)."""


async def start_decision(decision: SlackDecision) -> None:
    """Durably start deciding on ``decision`` (returns once it is recorded, not decided)."""
    workflow_id = f"slack-decision:{decision.run_id}:{decision.round}:{decision.event_id}"
    with SetWorkflowID(workflow_id):
        await DBOS.start_workflow_async(decide_from_slack, decision.model_dump(mode="json"))


@DBOS.step(name="slack_check_approver", **_SLACK_STEP)
@recordable_errors
async def _check_approver(decision: dict[str, Any]) -> bool:
    d = SlackDecision.model_validate(decision)
    settings = current().settings
    client = web_client(settings)
    if await is_approver(client, settings, d.user_id):
        return True
    audit(
        settings.database_url,
        d.user_id,
        "decision.unauthorized",
        d.run_id,
        round=d.round,
        source="slack",
        source_ref=d.source_ref,
    )
    await _tell(client, d, d.refusal)
    return False


@DBOS.step(name="slack_submit_decision")
async def _submit(decision: dict[str, Any]) -> dict[str, Any]:
    d = SlackDecision.model_validate(decision)
    outcome = await submit_decision(
        current().settings.database_url,
        d.run_id,
        d.round,
        d.action,
        d.user_id,
        d.user_name,
        d.feedback,
        "slack",
        d.source_ref,
    )
    return outcome.model_dump()


@DBOS.step(name="slack_tell", **_SLACK_STEP)
@recordable_errors
async def _tell_step(decision: dict[str, Any], text: str) -> None:
    d = SlackDecision.model_validate(decision)
    await _tell(web_client(current().settings), d, text)


@DBOS.step(name="slack_mark_decided", **_SLACK_STEP)
@recordable_errors
async def _mark(decision: dict[str, Any]) -> None:
    d = SlackDecision.model_validate(decision)
    client = web_client(current().settings)
    status = ApprovalStatus(
        state=_STATES[d.action],  # type: ignore[arg-type]
        actor_id=d.user_id,
        actor_name=d.user_name,
        feedback=d.feedback,
    )
    blocks = d.blocks
    if not blocks:  # a modal or a reply carries no message: read it back from Slack
        message = await approval_message(client, d.channel, d.message_ts, d.thread_ts)
        blocks = list((message or {}).get("blocks") or [])
    if blocks:
        await mark_decided(client, d.channel, d.message_ts, blocks, d.run_id, d.round, status)
    if d.confirm_in_thread:
        await client.chat_postMessage(
            channel=d.channel,
            thread_ts=d.message_ts,
            text=f"✏️ Got it, <@{d.user_id}>: Fixer is working on your feedback "
            f"(round {d.round + 1}).",
            unfurl_links=False,
        )


async def _tell(client: Any, d: SlackDecision, text: str) -> None:
    await client.chat_postEphemeral(
        channel=d.channel, user=d.user_id, text=text, thread_ts=d.thread_ts
    )


@DBOS.workflow(name="slack_decision")
async def decide_from_slack(decision: dict[str, Any]) -> str:
    """Check the person, record and send the decision, then show it in Slack."""
    if not await _check_approver(decision):
        return "refused"
    outcome = await _submit(decision)
    if not outcome["accepted"]:
        await _tell_step(decision, str(outcome["message"]))
        return "not_accepted"
    await _mark(decision)
    return "accepted"
