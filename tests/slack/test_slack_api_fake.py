"""The Slack Web API fake behaves like Slack where Fixer depends on it."""

from __future__ import annotations

import json
import time
import urllib.error
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
    slack.rate.enabled = False  # two posts to one channel within a second: not the point here
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


async def test_a_reply_under_a_message_of_another_channel_is_refused(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    elsewhere = await web_client.chat_postMessage(channel="C0ELSEWHERE", text="@Fixer fix a/b#1")
    with pytest.raises(SlackApiError) as refused:
        await web_client.chat_postMessage(channel=CHANNEL, thread_ts=elsewhere["ts"], text="hi")
    assert refused.value.response["error"] == "invalid_thread_ts"
    assert slack.state.top_level(CHANNEL) == []


async def test_blocks_over_a_limit_after_escaping_are_refused_with_slacks_pointer(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "&" * 40}}  # 200 escaped
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as refused:
        await web_client.chat_postMessage(channel=CHANNEL, text="t", blocks=[header, section])
    answer = refused.value.response
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]",
    ]
    with pytest.raises(SlackApiError) as too_many:
        await web_client.chat_postMessage(
            channel=CHANNEL, text="t", blocks=[{"type": "divider"}] * 51
        )
    assert too_many.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as too_long:
        await web_client.chat_postMessage(channel=CHANNEL, text="x" * 40_001)
    assert too_long.value.response["error"] == "msg_too_long"
    assert slack.state.top_level(CHANNEL) == []


async def test_a_trigger_id_opens_one_modal_within_three_seconds(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    from devtools.slack_api import new_trigger_id

    view = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    fresh = new_trigger_id()
    assert (await web_client.views_open(trigger_id=fresh, view=view))["ok"]
    for trigger, error in [
        (fresh, "exchanged_trigger_id"),
        ("4916855695380.xxx.yyy", "invalid_trigger_id"),
        (f"{int(time.time() * 1000) - 3100}.1.0123456789abcdef", "expired_trigger_id"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await web_client.views_open(trigger_id=trigger, view=view)
        assert refused.value.response["error"] == error


def test_over_a_tier_slack_answers_429_with_retry_after(slack: FakeSlack) -> None:
    def post() -> tuple[int, str | None]:
        request = urllib.request.Request(
            slack.url + "chat.postMessage",
            data=b"channel=C1&text=hi",
            headers={"Authorization": f"Bearer {slack.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # loopback only
                return response.status, None
        except urllib.error.HTTPError as error:
            assert json.loads(error.read()) == {"ok": False, "error": "ratelimited"}
            return error.code, error.headers["Retry-After"]

    assert post() == (200, None)
    assert post() == (429, "1")  # about one message per second per channel
    assert slack.state.top_level("C1")[0]["text"] == "hi" and len(slack.state.top_level("C1")) == 1
    assert slack.rate.limited == ["chat.postMessage"]
