"""Slack tests: the whole service with Slack configured, the Slack Web API fake on loopback,
and real bolt payloads from ``tests/fixtures/slack`` signed the way Slack signs them.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS, SetWorkflowID
from fastapi.testclient import TestClient
from httpx import Response
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.models import RunState
from app.runs import store
from app.runs.decisions import DECISION_TOPIC
from app.runs.request import RunRequest
from app.slack.app import retry_handlers
from app.slack.messages import ApprovalContent
from app.slack.posting import post_approval
from devtools.slack_api import FakeSlack, new_trigger_id
from devtools.slack_signing import event_headers, interaction_body, interaction_headers
from tests.app.conftest import client, github, service_settings
from tests.conftest import load_fixture

__all__ = ["client", "github"]  # app_key comes from tests/conftest.py

SIGNING_SECRET = "test-slack-signing-secret"
APPROVER = "U0APPROVER"
SECOND_APPROVER = "U0SECOND"
STRANGER = "U0STRANGER"
CHANNEL = "C0APPROVALS"
RUN_ID = "octo/hello#7:1"

DIFF = """diff --git a/hello/greet.py b/hello/greet.py
--- a/hello/greet.py
+++ b/hello/greet.py
@@ -1,3 +1,4 @@
 def greet(name):
-    return "Hello " + name
+    if name is None:
+        return "Hello, stranger"
+    return f"Hello {name}"
"""


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.state.members[CHANNEL] = [APPROVER, SECOND_APPROVER]
    yield fake
    fake.stop()


@pytest.fixture
def settings(
    tmp_path: Path, app_key: tuple[str, str], monkeypatch: pytest.MonkeyPatch, slack: FakeSlack
) -> Settings:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return service_settings(
        tmp_path,
        app_key,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_approval_channel=CHANNEL,
        slack_api_url=slack.url,
        fixer_approvers=f"{APPROVER},{SECOND_APPROVER}",
    )


@pytest.fixture
def web_client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.token, base_url=slack.url, retry_handlers=retry_handlers())


# -- a run waiting for its decision ---------------------------------------------------------


@DBOS.workflow(name="test_wait_for_decision")
async def wait_for_decision() -> Any:
    """Stands in for ``fix_issue`` at step 7: wait for the decision message."""
    return await DBOS.recv_async(topic=DECISION_TOPIC, timeout_seconds=30)


def approval_content(**changes: Any) -> ApprovalContent:
    fields: dict[str, Any] = {
        "run_id": RUN_ID,
        "round": 1,
        "repo_full_name": "octo/hello",
        "issue_number": 7,
        "issue_title": "greet(None) crashes",
        "issue_url": "https://github.com/octo/hello/issues/7",
        "plan_summary": "Handle a missing name in greet().",
        "diff": DIFF,
        "tests_passed": True,
        "tests_summary": "3 passed",
        "cost_usd": 0.42,
        "run_url": "http://fixer.local/runs/octo%2Fhello%237%3A1",
    }
    return ApprovalContent(**{**fields, **changes})


class WaitingRun:
    """A recorded run in ``awaiting_approval``, its workflow blocked in ``recv``, and its
    approval message posted in the fake Slack."""

    def __init__(self, client: TestClient, settings: Settings, web_client: AsyncWebClient):
        self.client, self.settings = client, settings
        request = RunRequest(
            repo_full_name="octo/hello", repo_id=1, installation_id=2, issue_number=7,
            trigger="opened", actor="octocat",
        )  # fmt: skip
        store.record_run(settings.database_url, RUN_ID, request, 1)
        store.update_run(settings.database_url, RUN_ID, state=RunState.awaiting_approval)

        async def start() -> Any:
            with SetWorkflowID(RUN_ID):
                return await DBOS.start_workflow_async(wait_for_decision)

        assert client.portal is not None
        self.handle = client.portal.call(start)
        self.message = client.portal.call(post_approval, web_client, CHANNEL, approval_content())

    def decision(self) -> Any:
        assert self.client.portal is not None
        return self.client.portal.call(self.handle.get_result)


@pytest.fixture
def waiting_run(client: TestClient, settings: Settings, web_client: AsyncWebClient) -> WaitingRun:
    return WaitingRun(client, settings, web_client)


# -- signed Slack requests built from real payloads -------------------------------------------


def click_payload(
    slack: FakeSlack, message: dict[str, str], action_id: str, user: str, round: int = 1
) -> dict[str, Any]:
    """``bolt_block_actions.button_with_message.json`` with our message, button and user."""
    body: dict[str, Any] = copy.deepcopy(
        load_fixture("slack/bolt_block_actions.button_with_message.json")
    )
    posted = slack.state.find(message["channel"], message["ts"])
    assert posted is not None
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0"}
    body["trigger_id"] = new_trigger_id()
    body["container"].update(channel_id=message["channel"], message_ts=message["ts"])
    body["channel"] = {"id": message["channel"]}
    body["message"].update(ts=message["ts"], blocks=posted["blocks"], text=posted["text"])
    body["actions"][0].update(
        action_id=action_id,
        block_id="fixer_actions",
        value=json.dumps({"run_id": RUN_ID, "round": round}),
    )
    return body


def view_payload(private_metadata: str, feedback: str | None, user: str) -> dict[str, Any]:
    """``bolt_view_submission.json`` carrying our modal's metadata and feedback field."""
    body: dict[str, Any] = copy.deepcopy(load_fixture("slack/bolt_view_submission.json"))
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["view"].update(
        callback_id="fixer_changes_modal",
        private_metadata=private_metadata,
        state={"values": {"feedback": {"feedback_input": {"type": "plain_text_input",
                                                          "value": feedback}}}},
    )  # fmt: skip
    return body


def mention_payload(text: str, user: str, ts: str = "1595926230.009600") -> dict[str, Any]:
    """``bolt_event_callback.app_mention.json`` with our text, user and channel."""
    body: dict[str, Any] = copy.deepcopy(load_fixture("slack/bolt_event_callback.app_mention.json"))
    body["event"].update(text=text, user=user, channel=CHANNEL, ts=ts, event_ts=ts)
    return body


def send_interaction(
    client: TestClient, payload: dict[str, Any], *, secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> Response:  # fmt: skip
    body = interaction_body(payload)
    headers = interaction_headers(secret, body, timestamp)
    return client.post("/slack/events", content=body, headers=headers)


def send_event(
    client: TestClient, payload: dict[str, Any], *, secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> Response:  # fmt: skip
    body = json.dumps(payload)
    return client.post(
        "/slack/events", content=body, headers=event_headers(secret, body, timestamp)
    )


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """The first truthy result of ``check``: listeners keep working after Slack's ack."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)
