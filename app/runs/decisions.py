"""A person's decision on a run's approval round, recorded once and sent to the run.

Slack buttons and ``fixer runs approve|reject`` both come through :func:`submit_decision`.
The ``approval_decisions`` row (unique per run and round) decides who was first; the
decision then reaches the waiting ``fix_issue`` workflow as a durable DBOS message on the
``decision`` topic, with an idempotency key per round, so sending it again is harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from dbos import DBOS
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.db import session_scope
from app.models import ApprovalDecision, AuditEvent, RunState
from app.runs import store
from app.timeline.decision_events import note_decision

DECISION_TOPIC = "decision"

DecisionAction = Literal["approve", "request_changes", "reject"]
DecisionSource = Literal["slack", "cli"]

_PAST_TENSE = {"approve": "approved", "request_changes": "requested changes", "reject": "rejected"}


class Decision(BaseModel):
    """The message the workflow receives from ``DBOS.recv_async(topic="decision")``."""

    run_id: str
    round: int
    action: DecisionAction
    actor_id: str
    actor_name: str = ""
    feedback: str = ""
    source: DecisionSource
    source_ref: str = ""
    """For Slack, the action id of the button (or the modal's callback id)."""
    decided_at: datetime


class DecisionOutcome(BaseModel):
    accepted: bool
    message: str
    """What to tell the person: a confirmation, or why nothing changed."""


def find_decision(database_url: str, run_id: str, round: int) -> ApprovalDecision | None:
    with session_scope(database_url) as session:
        return session.exec(
            select(ApprovalDecision).where(
                ApprovalDecision.run_id == run_id, ApprovalDecision.round == round
            )
        ).first()


def _already_decided(decision: ApprovalDecision) -> str:
    when = decision.decided_at.strftime("%Y-%m-%d %H:%M UTC")
    by = decision.actor_name or decision.actor_id
    return f"Already decided: {by} {_PAST_TENSE.get(decision.action, decision.action)} ({when})."


def pending_problem(database_url: str, run_id: str, round: int) -> str | None:
    """Why ``run_id``'s ``round`` cannot take a decision now, or ``None`` if it can."""
    run = store.get_run(database_url, run_id)
    if run is None:
        return f"There is no Fixer run {run_id}."
    decision = find_decision(database_url, run_id, round)
    if decision is not None:
        return _already_decided(decision)
    if run.round != round:
        return f"This approval round is over: run {run_id} is on round {run.round}."
    if run.state != RunState.awaiting_approval:
        return f"Run {run_id} is no longer waiting for a decision (it is {run.state})."
    return None


def audit(database_url: str, actor: str, action: str, target: str, **detail: object) -> None:
    with session_scope(database_url) as session:
        session.add(AuditEvent(actor=actor, action=action, target=target, detail=detail))


async def _send(decision: ApprovalDecision, database_url: str) -> None:
    message = Decision.model_validate(decision, from_attributes=True)
    run = store.get_run(database_url, decision.run_id)
    # A retried run continues in a forked workflow; the decision goes to whichever carries it.
    target = (run.workflow_id if run is not None else None) or decision.run_id
    await DBOS.send_async(
        target,
        message.model_dump(mode="json"),
        topic=DECISION_TOPIC,
        idempotency_key=f"decision:{decision.run_id}:{decision.round}",
    )


async def submit_decision(
    database_url: str,
    run_id: str,
    round: int,
    action: DecisionAction,
    actor_id: str,
    actor_name: str,
    feedback: str,
    source: DecisionSource,
    source_ref: str,
) -> DecisionOutcome:
    """Record the decision and send it to the run, unless the round is decided or over."""
    if action == "request_changes" and not feedback.strip():
        return DecisionOutcome(accepted=False, message="Say what should change: feedback is empty.")
    problem = pending_problem(database_url, run_id, round)
    if problem is not None:
        await _resend_recorded(database_url, run_id, round)
        audit(database_url, actor_id, "decision.refused", run_id, round=round, reason=problem)
        return DecisionOutcome(accepted=False, message=problem)
    row = ApprovalDecision(
        run_id=run_id,
        round=round,
        action=action,
        actor_id=actor_id,
        actor_name=actor_name,
        feedback=feedback.strip(),
        source=source,
        source_ref=source_ref,
    )
    try:
        with session_scope(database_url) as session:
            session.add(row)
            session.add(
                AuditEvent(
                    actor=actor_id,
                    action=f"decision.{action}",
                    target=run_id,
                    detail={
                        "round": round,
                        "source": source,
                        "source_ref": source_ref,
                        "actor_name": actor_name,
                    },
                )
            )
    except IntegrityError:  # someone else's decision won the race for this round
        earlier = find_decision(database_url, run_id, round)
        message = _already_decided(earlier) if earlier else "Already decided."
        return DecisionOutcome(accepted=False, message=message)
    note_decision(database_url, run_id, round, action, actor_name or actor_id, row.feedback, source)
    await _send(row, database_url)
    return DecisionOutcome(accepted=True, message=f"Recorded: you {_PAST_TENSE[action]}.")


async def _resend_recorded(database_url: str, run_id: str, round: int) -> None:
    """Send a recorded decision again while the run still waits for it.

    If the process died between recording a decision and sending it, the run would wait
    forever; any later attempt on the same round repairs that. The idempotency key makes
    the send a no-op when the first one went through.
    """
    run = store.get_run(database_url, run_id)
    if run is None or run.state != RunState.awaiting_approval or run.round != round:
        return
    decision = find_decision(database_url, run_id, round)
    if decision is not None:
        await _send(decision, database_url)
