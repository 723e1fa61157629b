"""Exactly-once posting: a retried step finds the message its first attempt posted."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from app.slack.messages import ApprovalStatus
from app.slack.posting import diff_filename, post_approval, post_progress, update_approval
from devtools.slack_api import FakeSlack
from tests.slack.conftest import CHANNEL, RUN_ID, approval_content


async def test_retried_approval_post_finds_its_message_and_its_diff_file(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    first = await post_approval(web_client, CHANNEL, approval_content())
    again = await post_approval(web_client, CHANNEL, approval_content())

    assert first == again == {"channel": CHANNEL, "ts": first["ts"]}
    assert len(slack.calls_to("chat.postMessage")) == 1
    [message] = slack.state.top_level(CHANNEL)
    assert message["metadata"] == {
        "event_type": "fixer_approval",
        "event_payload": {"run_id": RUN_ID, "round": 1},
    }
    [upload] = slack.calls_to("files.completeUploadExternal")
    assert upload["thread_ts"] == first["ts"]
    [stored] = slack.state.files.values()
    assert stored["name"] == diff_filename(RUN_ID, 1) == "fixer-octo-hello-7-1-round1.diff"
    assert stored["content"] == approval_content().diff.encode()


async def test_a_new_round_posts_a_new_approval_message(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    first = await post_approval(web_client, CHANNEL, approval_content())
    second = await post_approval(web_client, CHANNEL, approval_content(round=2))
    assert first["ts"] != second["ts"]
    assert len(slack.state.top_level(CHANNEL)) == 2


async def test_approval_in_the_thread_the_run_came_from(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    parent = await web_client.chat_postMessage(channel=CHANNEL, text="@Fixer fix octo/hello#7")
    for _ in range(2):
        posted = await post_approval(
            web_client, CHANNEL, approval_content(), thread_ts=parent["ts"]
        )
    thread = slack.state.thread(CHANNEL, parent["ts"])
    assert [m["ts"] for m in thread if m.get("metadata")] == [posted["ts"]]
    assert sum(1 for m in thread if m.get("files")) == 1


async def test_retried_progress_reply_posts_once_per_phase_and_round(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    approval = await post_approval(web_client, CHANNEL, approval_content())
    thread = approval["ts"]
    await post_progress(web_client, CHANNEL, thread, RUN_ID, "planning", "reading the issue")
    await post_progress(web_client, CHANNEL, thread, RUN_ID, "planning", "reading the issue")
    await post_progress(web_client, CHANNEL, thread, RUN_ID, "failed", "tests time out")
    await post_progress(web_client, CHANNEL, thread, RUN_ID, "coding", "", round=1)
    await post_progress(web_client, CHANNEL, thread, RUN_ID, "coding", "", round=2)

    replies = [m for m in slack.state.thread(CHANNEL, thread) if m.get("thread_ts") == thread]
    texts = [m["text"] for m in replies if not m.get("files")]
    assert texts == [
        "🧭 Planning: reading the issue",
        "💥 Failed: tests time out",
        "⌨️ Coding",
        "⌨️ Coding",
    ]


async def test_update_shows_the_outcome_and_keeps_the_marker(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    posted = await post_approval(web_client, CHANNEL, approval_content())
    status = ApprovalStatus(state="pr_opened", actor_id="U0ALICE", pr_url="https://x/pull/1")
    await update_approval(web_client, CHANNEL, posted["ts"], approval_content(), status)

    message = slack.state.find(CHANNEL, posted["ts"])
    assert message is not None
    assert "PR opened: <https://x/pull/1>" in message["blocks"][-1]["text"]["text"]
    assert message["metadata"]["event_payload"] == {"run_id": RUN_ID, "round": 1}
    # Still found by a retried post, which then does not post again.
    assert await post_approval(web_client, CHANNEL, approval_content()) == posted
