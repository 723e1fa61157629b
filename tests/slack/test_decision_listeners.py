"""Button clicks and the changes modal, signed and dispatched through the real app; the
decision reaches a DBOS workflow waiting in ``recv``."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import ApprovalDecision, AuditEvent, RunState
from app.runs import store
from devtools.slack_api import FakeSlack
from tests.slack.conftest import (
    APPROVER,
    CHANNEL,
    RUN_ID,
    SECOND_APPROVER,
    STRANGER,
    WaitingRun,
    click_payload,
    eventually,
    send_interaction,
    view_payload,
)


def decisions(settings: Settings) -> list[ApprovalDecision]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(ApprovalDecision)).all())


def audit_actions(settings: Settings) -> list[str]:
    with session_scope(settings.database_url) as session:
        return [e.action for e in session.exec(select(AuditEvent)).all()]


def test_approve_reaches_the_waiting_workflow_and_updates_the_message(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    response = send_interaction(
        client, click_payload(slack, waiting_run.message, "fixer_approve", APPROVER)
    )
    assert response.status_code == 200

    decision = waiting_run.decision()
    assert decision["run_id"] == RUN_ID
    assert decision["round"] == 1
    assert decision["action"] == "approve"
    assert decision["actor_id"] == APPROVER
    assert decision["source"] == "slack"
    assert decision["source_ref"] == "fixer_approve"
    assert decision["decided_at"]
    [row] = decisions(settings)
    assert (row.action, row.actor_id, row.source_ref) == ("approve", APPROVER, "fixer_approve")
    assert "decision.approve" in audit_actions(settings)

    updated = slack.wait_for("chat.update")[0]
    assert all(b.get("block_id") != "fixer_actions" for b in updated["blocks"])
    assert f"Approved by <@{APPROVER}> — opening the PR" in json.dumps(
        updated["blocks"], ensure_ascii=False
    )


def test_second_click_answers_already_decided_and_changes_nothing(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    send_interaction(client, click_payload(slack, waiting_run.message, "fixer_reject", APPROVER))
    assert waiting_run.decision()["action"] == "reject"
    slack.wait_for("chat.update")

    send_interaction(
        client, click_payload(slack, waiting_run.message, "fixer_approve", SECOND_APPROVER)
    )
    [ephemeral] = slack.wait_for("chat.postEphemeral")
    assert ephemeral["user"] == SECOND_APPROVER
    assert "Already decided" in ephemeral["text"]
    assert "rejected" in ephemeral["text"]
    assert [d.action for d in decisions(settings)] == ["reject"]
    assert len(slack.calls_to("chat.update")) == 1


def test_click_by_a_non_approver_is_refused_privately_and_audited(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    send_interaction(client, click_payload(slack, waiting_run.message, "fixer_approve", STRANGER))

    [ephemeral] = slack.wait_for("chat.postEphemeral")
    assert ephemeral["user"] == STRANGER
    assert "Only Fixer approvers" in ephemeral["text"]
    assert eventually(lambda: "decision.unauthorized" in audit_actions(settings))
    assert decisions(settings) == []
    assert slack.calls_to("chat.update") == []


def test_click_on_a_run_no_longer_waiting_changes_nothing(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    store.update_run(settings.database_url, RUN_ID, state=RunState.expired)

    send_interaction(client, click_payload(slack, waiting_run.message, "fixer_approve", APPROVER))

    [ephemeral] = slack.wait_for("chat.postEphemeral")
    assert "no longer waiting" in ephemeral["text"]
    assert decisions(settings) == []


def test_request_changes_opens_a_modal_with_a_required_multiline_field(
    client: TestClient, slack: FakeSlack, waiting_run: WaitingRun
) -> None:
    payload = click_payload(slack, waiting_run.message, "fixer_request_changes", APPROVER)
    send_interaction(client, payload)

    [opened] = slack.wait_for("views.open")
    assert opened["trigger_id"] == payload["trigger_id"]
    field = next(b for b in opened["view"]["blocks"] if b.get("block_id") == "feedback")
    assert field["optional"] is False
    assert field["element"]["multiline"] is True
    assert json.loads(opened["view"]["private_metadata"])["run_id"] == RUN_ID


def test_empty_feedback_is_rejected_in_the_modal(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    send_interaction(
        client, click_payload(slack, waiting_run.message, "fixer_request_changes", APPROVER)
    )
    metadata = slack.wait_for("views.open")[0]["view"]["private_metadata"]

    for blank in ("   \n ", None):
        response = send_interaction(client, view_payload(metadata, blank, APPROVER))
        assert response.status_code == 200
        assert response.json() == {
            "response_action": "errors",
            "errors": {"feedback": "Tell Fixer what to change: the feedback cannot be empty."},
        }
    assert decisions(settings) == []


def test_feedback_from_the_modal_reaches_the_workflow(
    client: TestClient, slack: FakeSlack, waiting_run: WaitingRun
) -> None:
    send_interaction(
        client, click_payload(slack, waiting_run.message, "fixer_request_changes", APPROVER)
    )
    metadata = slack.wait_for("views.open")[0]["view"]["private_metadata"]

    response = send_interaction(client, view_payload(metadata, "Add a regression test.", APPROVER))
    assert response.status_code == 200
    assert not response.content  # an empty ack closes the modal

    decision = waiting_run.decision()
    assert (decision["action"], decision["feedback"]) == (
        "request_changes",
        "Add a regression test.",
    )
    updated = slack.wait_for("chat.update")[0]
    text = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "Changes requested by" in text and "Add a regression test." in text
    message = slack.state.find(CHANNEL, waiting_run.message["ts"])
    assert message is not None and message["metadata"]["event_payload"]["run_id"] == RUN_ID
