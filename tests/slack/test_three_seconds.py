"""Slack stops waiting for an interaction's answer after 3 seconds: clicks are answered at
once (made durable first) and the approver look-up happens after, however slow it is."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import ApprovalDecision
from devtools.slack_api import FakeSlack
from tests.slack.conftest import (
    APPROVER,
    STRANGER,
    WaitingRun,
    click_payload,
    send_interaction,
)

SLOW_LOOKUP_S = 5.0
SLACK_WAITS_S = 3.0


@pytest.fixture
def settings(settings: Settings, slack: FakeSlack) -> Settings:
    """Approvers are the approval channel's members, and asking Slack for them takes 5 s."""
    slack.delays["conversations.members"] = SLOW_LOOKUP_S
    return settings.model_copy(update={"fixer_approvers": []})


def answered_in(client: TestClient, payload: dict[str, object]) -> tuple[Response, float]:
    started = time.monotonic()
    response = send_interaction(client, payload)
    return response, time.monotonic() - started


def decisions(settings: Settings) -> list[ApprovalDecision]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(ApprovalDecision)).all())


def test_clicks_are_answered_within_3s_while_the_approver_lookup_takes_5s(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    stranger, stranger_s = answered_in(
        client, click_payload(slack, waiting_run.message, "fixer_approve", STRANGER)
    )
    approver, approver_s = answered_in(
        client, click_payload(slack, waiting_run.message, "fixer_approve", APPROVER)
    )
    assert stranger.status_code == approver.status_code == 200
    assert stranger_s < SLACK_WAITS_S and approver_s < SLACK_WAITS_S

    # Decided after the ack: the approver's approval reaches the run, the stranger is refused.
    decision = waiting_run.decision()
    assert (decision["action"], decision["actor_id"]) == ("approve", APPROVER)
    [refusal] = slack.wait_for("chat.postEphemeral", timeout=SLOW_LOOKUP_S * 3)
    assert refusal["user"] == STRANGER and "Only Fixer approvers" in refusal["text"]
    assert [(d.action, d.actor_id) for d in decisions(settings)] == [("approve", APPROVER)]
    # The members were asked once: the second click used the cached answer.
    assert len(slack.calls_to("conversations.members")) == 1


def test_request_changes_opens_the_modal_before_the_slow_approver_lookup(
    client: TestClient, slack: FakeSlack, waiting_run: WaitingRun
) -> None:
    response, took = answered_in(
        client, click_payload(slack, waiting_run.message, "fixer_request_changes", APPROVER)
    )
    assert response.status_code == 200 and took < SLACK_WAITS_S
    # Slack refuses a trigger_id older than 3 s (expired_trigger_id): the modal opened in time.
    [opened] = slack.wait_for("views.open", timeout=SLACK_WAITS_S)
    assert slack.state.views and slack.state.views[-1]["trigger_id"] == opened["trigger_id"]
