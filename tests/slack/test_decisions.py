"""``submit_decision`` on its own (the CLI path): one decision per round, delivered once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from app.db import session_scope
from app.models import ApprovalDecision
from app.runs.decisions import DecisionOutcome, submit_decision
from tests.slack.conftest import RUN_ID, WaitingRun


def submit(
    client: TestClient, settings: Settings, action: str, actor: str, feedback: str = ""
) -> DecisionOutcome:
    assert client.portal is not None
    outcome: DecisionOutcome = client.portal.call(
        lambda: submit_decision(
            settings.database_url,
            RUN_ID,
            1,
            action,
            actor,
            actor,
            feedback,
            "cli",
            "fixer runs",  # type: ignore[arg-type]
        )
    )
    return outcome


def test_cli_decision_reaches_the_run(
    client: TestClient, settings: Settings, waiting_run: WaitingRun
) -> None:
    outcome = submit(client, settings, "reject", "alice")
    assert outcome.accepted
    decision = waiting_run.decision()
    assert (decision["action"], decision["actor_id"], decision["source"]) == (
        "reject",
        "alice",
        "cli",
    )
    again = submit(client, settings, "approve", "bob")
    assert not again.accepted and "Already decided: alice rejected" in again.message


def test_request_changes_needs_feedback(
    client: TestClient, settings: Settings, waiting_run: WaitingRun
) -> None:
    outcome = submit(client, settings, "request_changes", "alice", "  ")
    assert not outcome.accepted and "feedback is empty" in outcome.message


def test_recorded_decision_that_never_reached_the_run_is_sent_on_the_next_attempt(
    client: TestClient, settings: Settings, waiting_run: WaitingRun
) -> None:
    # As if the process died between recording the decision and sending it.
    with session_scope(settings.database_url) as session:
        session.add(
            ApprovalDecision(
                run_id=RUN_ID, round=1, action="approve", actor_id="alice", source="cli"
            )
        )
    outcome = submit(client, settings, "reject", "bob")
    assert not outcome.accepted
    decision = waiting_run.decision()
    assert (decision["action"], decision["actor_id"]) == ("approve", "alice")
