"""The Slack Web API fake behaves like Slack where Fixer depends on it."""

from __future__ import annotations

import json
import urllib.request

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.slack_api import FakeSlack
from tests.slack.conftest import CHANNEL


def _raw(slack: FakeSlack, method: str, body: bytes, content_type: str) -> dict[str, object]:
    request = urllib.request.Request(
        slack.url + method,
        data=body,
        headers={"Authorization": f"Bearer {slack.token}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # loopback only
        result: dict[str, object] = json.loads(response.read())
        return result


def test_form_encoded_and_json_bodies_are_both_accepted(slack: FakeSlack) -> None:
    form = _raw(
        slack, "chat.postMessage", b"channel=C1&text=form", "application/x-www-form-urlencoded"
    )
    data = _raw(slack, "chat.postMessage", b'{"channel": "C1", "text": "json"}', "application/json")
    assert form["ok"] and data["ok"]
    assert [m["text"] for m in slack.state.top_level("C1")] == ["form", "json"]
    assert [c.method for c in slack.calls] == ["chat.postMessage", "chat.postMessage"]


async def test_a_wrong_token_is_refused(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=slack.url)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert refused.value.response["error"] == "invalid_auth"
    assert slack.state.messages == {}


async def test_metadata_is_returned_only_when_asked_for(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    metadata = {"event_type": "fixer_progress", "event_payload": {"run_id": "r"}}
    await web_client.chat_postMessage(channel=CHANNEL, text="x", metadata=metadata)
    plain = await web_client.conversations_history(channel=CHANNEL)
    full = await web_client.conversations_history(channel=CHANNEL, include_all_metadata=True)
    assert "metadata" not in plain["messages"][0]
    assert full["messages"][0]["metadata"] == metadata
