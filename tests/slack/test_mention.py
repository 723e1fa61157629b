"""``@Fixer fix owner/repo#N``: starts the same durable run as a webhook, replies in thread."""

from __future__ import annotations

from dbos import DBOS
from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import Installation, Repository, Run
from devtools.slack_api import FakeSlack
from tests.slack.conftest import (
    APPROVER,
    CHANNEL,
    STRANGER,
    eventually,
    mention_payload,
    send_event,
)

TS = "1595926230.009600"


def install(settings: Settings, full_name: str = "octo/hello") -> None:
    with session_scope(settings.database_url) as session:
        session.add(Installation(id=2, account_login="octo"))
        session.add(Repository(id=1, full_name=full_name, installation_id=2))


def runs(settings: Settings) -> list[Run]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(Run)).all())


def test_mention_with_a_reference_starts_a_run_and_replies_with_its_link(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    install(settings)
    text = "<@UFIXERBOT> fix octo/hello#7 keep the public API unchanged"
    assert send_event(client, mention_payload(text, APPROVER, TS)).status_code == 200

    [reply] = slack.wait_for("chat.postMessage")
    assert reply["channel"] == CHANNEL and reply["thread_ts"] == TS
    assert "http://fixer.local/runs/octo%2Fhello%237%3A1" in reply["text"]
    [run] = runs(settings)
    assert (run.id, run.trigger, run.actor) == ("octo/hello#7:1", "slack", APPROVER)
    assert (run.slack_channel, run.slack_thread_ts) == (CHANNEL, TS)
    assert run.instructions == "keep the public API unchanged"
    assert client.portal is not None
    status = client.portal.call(DBOS.get_workflow_status_async, run.id)
    assert status is not None and status.name == "fix_issue"


def test_issue_url_works_like_a_reference(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    install(settings)
    text = "<@UFIXERBOT> fix <https://github.com/octo/hello/issues/7>"
    send_event(client, mention_payload(text, APPROVER, TS))
    slack.wait_for("chat.postMessage")
    assert [r.id for r in runs(settings)] == ["octo/hello#7:1"]


def test_mention_by_a_non_approver_starts_nothing(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    install(settings)
    send_event(client, mention_payload("<@UFIXERBOT> fix octo/hello#7", STRANGER, TS))

    [reply] = slack.wait_for("chat.postMessage")
    assert "Only Fixer approvers can start runs" in reply["text"]
    assert reply["thread_ts"] == TS
    assert runs(settings) == []


def test_mention_of_a_repository_without_the_app_starts_nothing(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    install(settings, "octo/other")
    send_event(client, mention_payload("<@UFIXERBOT> fix octo/hello#7", APPROVER, TS))

    [reply] = slack.wait_for("chat.postMessage")
    assert "Fixer is not installed on `octo/hello`" in reply["text"]
    assert runs(settings) == []


def test_mention_without_a_reference_explains_how_to_ask(
    client: TestClient, slack: FakeSlack, settings: Settings
) -> None:
    send_event(client, mention_payload("<@UFIXERBOT> hi there!", APPROVER, TS))
    [reply] = slack.wait_for("chat.postMessage")
    assert "owner/repo#123" in reply["text"]
    assert eventually(lambda: runs(settings) == [])
