"""Slack's rate limits: a 429 is waited out for its ``Retry-After``, and a step that knows
its message does not read the channel again."""

from __future__ import annotations

import time

from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.slack.app import build_web_client
from app.slack.posting import post_approval, post_progress
from devtools.slack_api import FakeSlack
from tests.slack.conftest import CHANNEL, RUN_ID, approval_content


async def test_replies_faster_than_slack_allows_wait_for_retry_after_and_all_arrive(
    slack: FakeSlack, settings: Settings
) -> None:
    client = build_web_client(settings)  # the client the service uses
    parent = await client.chat_postMessage(channel=CHANNEL, text="approval")
    started = time.monotonic()
    for phase in ("planning", "coding", "tests"):
        await post_progress(client, CHANNEL, parent["ts"], RUN_ID, phase, "")  # type: ignore[arg-type]
    elapsed = time.monotonic() - started
    replies = [m for m in slack.state.thread(CHANNEL, parent["ts"]) if m["ts"] != parent["ts"]]
    assert len(replies) == 3
    assert "chat.postMessage" in slack.rate.limited
    # One message per second per channel: the 429s were waited out, not hammered.
    assert elapsed >= 2.0
    assert len(slack.calls_to("chat.postMessage")) == 4


async def test_a_retried_approval_post_in_the_same_process_reads_no_history_again(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    first = await post_approval(web_client, CHANNEL, approval_content())
    reads = len(slack.calls_to("conversations.history")) + len(
        slack.calls_to("conversations.replies")
    )
    again = await post_approval(web_client, CHANNEL, approval_content())
    assert again == first
    assert (
        len(slack.calls_to("conversations.history")) + len(slack.calls_to("conversations.replies"))
        == reads
    )
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 1
