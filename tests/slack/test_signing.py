"""Slack request signatures: Slack's own worked example, and refused requests."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import AuditEvent, Run
from devtools.slack_api import FakeSlack
from devtools.slack_signing import signed_slack_request
from tests.conftest import load_fixture
from tests.slack.conftest import APPROVER, mention_payload, send_event


def test_our_helper_reproduces_slacks_signing_vector() -> None:
    vector = load_fixture("slack/signing_vector.json")
    headers = signed_slack_request(
        vector["signing_secret"], vector["body"], vector["x_slack_request_timestamp"]
    )
    assert headers == {
        "X-Slack-Request-Timestamp": vector["x_slack_request_timestamp"],
        "X-Slack-Signature": vector["x_slack_signature"],
    }


def _nothing_happened(settings: Settings, slack: FakeSlack) -> None:
    time.sleep(0.2)  # give a wrongly accepted listener the time to act
    with session_scope(settings.database_url) as session:
        assert session.exec(select(Run)).all() == []
        refused = session.exec(
            select(AuditEvent).where(AuditEvent.action == "slack.signature_refused")
        ).all()
        assert len(refused) == 1
    assert slack.calls == []


def test_forged_signature_is_refused_and_nothing_happens(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    payload = mention_payload("<@UFIXERBOT> fix octo/hello#7", APPROVER)
    response = send_event(client, payload, secret="not-the-signing-secret")
    assert response.status_code == 401
    _nothing_happened(settings, slack)


def test_signature_older_than_five_minutes_is_refused(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    payload = mention_payload("<@UFIXERBOT> fix octo/hello#7", APPROVER)
    response = send_event(client, payload, timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    _nothing_happened(settings, slack)


def test_unsigned_request_is_refused(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    response = client.post("/slack/events", json=mention_payload("hi", APPROVER))
    assert response.status_code == 401
    _nothing_happened(settings, slack)
