"""Slack as Slack behaves, through the real `fixer serve`: mentions from any channel, Slack's
3-second answer window, and feedback given as a reply in the approval thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from devtools import sample_repo
from devtools.slack_clicks import message_event, send_event
from devtools.stack import APPROVER, CHANNEL, SIGNING_SECRET, Stack, wait_until

ELSEWHERE = "C0ELSEWHERE"


def pulls(stack: Stack) -> list[Any]:
    return list(stack.github.state.pulls.values())


def thread_texts(stack: Stack, channel: str, ts: str) -> list[str]:
    return [str(m.get("text", "")) for m in stack.slack.state.thread(channel, ts) if m["ts"] != ts]


def mention(stack: Stack, channel: str, text: str, user: str = APPROVER) -> dict[str, Any]:
    """A person mentions the bot in ``channel``: the message, then Slack's ``app_mention``."""
    event = stack.slack.user_message(channel, user, f"<@{stack.slack.state.bot_user_id}> {text}")
    event["type"] = "app_mention"
    assert send_event(stack.url, SIGNING_SECRET, message_event(event)).status_code == 200
    return event


def until(stack: Stack, condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """``wait_until``, saying what Slack and the service saw when it times out."""
    try:
        return wait_until(condition, timeout=timeout, what=what)
    except AssertionError as timed_out:
        seen = {c: [m.get("text") for m in ms] for c, ms in stack.slack.state.messages.items()}
        raise AssertionError(f"{timed_out}; Slack: {seen}\n{stack.log_text()[-3000:]}") from None


def run_state(stack: Stack, run_id: str) -> str:
    response = httpx.get(
        f"{stack.url}/runs/{quote(run_id, safe='')}", headers={"Accept": "application/json"}
    )
    return str(response.json()["run"]["state"]) if response.status_code == 200 else ""


def run_of(message: dict[str, Any]) -> tuple[str, int]:
    payload = message["metadata"]["event_payload"]
    return str(payload["run_id"]), int(payload["round"])


def test_mention_in_another_channel_asks_in_the_approval_channel_and_reports_in_its_thread(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue(author="drive-by", association="NONE")  # an issue, but no run
    until(stack, lambda: run_state(stack, f"{sample_repo.REPO}#1:1") == "skipped", "the skip")
    asked = mention(stack, ELSEWHERE, f"fix {sample_repo.REPO}#1")

    [approval] = until(stack, lambda: stack.approval_messages(), "the approval message")
    # Top level in the approval channel, linking back to the mention.
    assert approval.get("thread_ts") is None
    assert f"archives/{ELSEWHERE}/p{asked['ts'].replace('.', '')}" in str(approval["blocks"])
    waiting = wait_until(
        lambda: [t for t in thread_texts(stack, ELSEWHERE, asked["ts"]) if "approval" in t],
        what="the mention's thread hearing where the approval waits",
    )
    assert f"archives/{CHANNEL}/p{approval['ts'].replace('.', '')}" in waiting[-1]

    run_id, round = run_of(approval)
    assert stack.click("fixer_approve", run_id, round).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    wait_until(
        lambda: any("PR opened" in t for t in thread_texts(stack, ELSEWHERE, asked["ts"])),
        what="the PR in the mention's thread",
    )
    texts = thread_texts(stack, ELSEWHERE, asked["ts"])
    assert any(t.startswith("🧭 Planning") for t in texts)
    assert len(stack.approval_messages()) == 1 and len(pulls(stack)) == 1
