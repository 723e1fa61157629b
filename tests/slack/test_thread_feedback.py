"""An approver's reply in the approval message's thread asks for changes; nobody else's does."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import ApprovalDecision
from app.runs import store
from devtools.slack_api import FakeSlack
from devtools.slack_clicks import message_event
from tests.slack.conftest import (
    APPROVER,
    CHANNEL,
    RUN_ID,
    STRANGER,
    WaitingRun,
    eventually,
    send_event,
)

FEEDBACK = "Keep the public API unchanged </code> & add a test"


def decisions(settings: Settings) -> list[ApprovalDecision]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(ApprovalDecision)).all())


def reply(client: TestClient, slack: FakeSlack, thread_ts: str, user: str, text: str) -> None:
    event = slack.user_message(CHANNEL, user, text, thread_ts=thread_ts)
    assert send_event(client, message_event(event)).status_code == 200


def test_an_approvers_reply_in_the_approval_thread_requests_changes_with_its_text(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    approval_ts = waiting_run.message["ts"]
    store.update_run(
        settings.database_url, RUN_ID, slack_channel=CHANNEL, slack_thread_ts=approval_ts
    )
    # Not feedback: a stranger's reply (told privately), a bot's message.
    reply(client, slack, approval_ts, STRANGER, "please also rewrite everything")
    bot_event = slack.user_message(CHANNEL, STRANGER, "bot chatter", thread_ts=approval_ts)
    bot_event["bot_id"] = "B0OTHER"
    send_event(client, message_event(bot_event))
    [note] = slack.wait_for("chat.postEphemeral")
    assert note["user"] == STRANGER and "yours was not sent to the run" in note["text"]
    assert decisions(settings) == []

    reply(client, slack, approval_ts, APPROVER, FEEDBACK)

    decision = waiting_run.decision()
    assert (decision["action"], decision["actor_id"], decision["feedback"]) == (
        "request_changes",
        APPROVER,
        FEEDBACK,
    )
    assert [d.source_ref for d in decisions(settings)] == ["thread_reply"]
    acknowledged = eventually(
        lambda: [
            m
            for m in slack.state.thread(CHANNEL, approval_ts)
            if m.get("bot_id") and "Got it" in str(m.get("text"))
        ]
    )
    assert acknowledged and f"<@{APPROVER}>" in acknowledged[0]["text"]
    updated = slack.wait_for("chat.update")[0]
    assert "Changes requested by" in json.dumps(updated["blocks"], ensure_ascii=False)


def test_a_reply_under_a_message_that_is_not_a_waiting_approval_changes_nothing(
    client: TestClient, slack: FakeSlack, settings: Settings, waiting_run: WaitingRun
) -> None:
    # The run's current approval message is not this one (e.g. an earlier round's).
    store.update_run(settings.database_url, RUN_ID, slack_channel=CHANNEL, slack_thread_ts="1.2")
    reply(client, slack, waiting_run.message["ts"], APPROVER, FEEDBACK)
    assert eventually(lambda: decisions(settings), timeout=2) == []
    assert slack.calls_to("chat.postEphemeral") == []
