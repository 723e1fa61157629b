"""Posting to Slack exactly once from steps that may run more than once.

A workflow step is at-least-once: a worker that dies after Slack answered but before the
step's result was recorded runs the step again. Every message Fixer posts therefore
carries Slack message ``metadata`` naming the run, round (and phase), and each post first
looks for the bot's own message with that metadata in the channel or thread.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from slack_sdk.web.async_client import AsyncWebClient

from app.slack.messages import (
    APPROVAL_EVENT,
    ApprovalContent,
    ApprovalStatus,
    Block,
    approval_blocks,
    approval_fallback_text,
    approval_metadata,
    decided_blocks,
)

PROGRESS_EVENT = "fixer_progress"
HISTORY_LIMIT = 200
"""How far back a retried step looks; its first attempt posted moments ago."""

Phase = Literal[
    "planning", "plan_ready", "coding", "tests", "awaiting_approval", "pr_opened", "failed"
]
PHASE_PREFIX: dict[str, str] = {
    "planning": "🧭 Planning",
    "plan_ready": "📝 Plan ready",
    "coding": "⌨️ Coding",
    "tests": "🧪 Tests",
    "awaiting_approval": "🙋 Waiting for approval",
    "pr_opened": "🎉 PR opened",
    "failed": "💥 Failed",
}

_bot_ids: dict[str, str] = {}


async def bot_id(client: AsyncWebClient) -> str:
    """The bot id behind ``client``'s token (asked once per token)."""
    token = client.token or ""
    if token not in _bot_ids:
        _bot_ids[token] = str((await client.auth_test()).get("bot_id") or "")
    return _bot_ids[token]


async def _recent_messages(
    client: AsyncWebClient, channel: str, thread_ts: str | None
) -> list[dict[str, Any]]:
    if thread_ts:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=1000
        )
    else:
        response = await client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LIMIT
        )
    return list(response.get("messages") or [])


async def find_own_message(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    event_type: str,
    payload: dict[str, Any],
) -> dict[str, Any] | None:
    """The bot's message in ``channel`` (or its thread) whose metadata matches, if any."""
    own = await bot_id(client)
    for message in await _recent_messages(client, channel, thread_ts):
        metadata = message.get("metadata") or {}
        found = metadata.get("event_payload") or {}
        if (
            message.get("bot_id") == own
            and metadata.get("event_type") == event_type
            and all(found.get(key) == value for key, value in payload.items())
        ):
            return message
    return None


def diff_filename(run_id: str, round: int) -> str:
    return f"fixer-{re.sub(r'[^A-Za-z0-9._-]+', '-', run_id).strip('-')}-round{round}.diff"


async def _attach_diff(
    client: AsyncWebClient, channel: str, thread_ts: str, content: ApprovalContent
) -> None:
    name = diff_filename(content.run_id, content.round)
    for message in await _recent_messages(client, channel, thread_ts):
        if any(f.get("name") == name for f in message.get("files") or []):
            return
    await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=content.diff,
        filename=name,
        title=f"Full diff, round {content.round}",
    )


async def post_approval(
    client: AsyncWebClient,
    channel: str,
    content: ApprovalContent,
    *,
    thread_ts: str | None = None,
) -> dict[str, str]:
    """Post the approval message (once) and attach the full diff in its thread (once)."""
    marker = {"run_id": content.run_id, "round": content.round}
    existing = await find_own_message(client, channel, thread_ts, APPROVAL_EVENT, marker)
    if existing is not None:
        ts = str(existing["ts"])
    else:
        posted = await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=approval_fallback_text(content),
            blocks=approval_blocks(content),
            metadata=approval_metadata(content.run_id, content.round),
            unfurl_links=False,
            unfurl_media=False,
        )
        channel, ts = str(posted["channel"]), str(posted["ts"])
    if content.diff.strip():
        await _attach_diff(client, channel, thread_ts or ts, content)
    return {"channel": channel, "ts": ts}


async def update_approval(
    client: AsyncWebClient,
    channel: str,
    ts: str,
    content: ApprovalContent,
    status: ApprovalStatus,
) -> None:
    """Show ``status`` (approved, PR opened, expired…) on the approval message. Idempotent."""
    await client.chat_update(
        channel=channel,
        ts=ts,
        text=approval_fallback_text(content, status),
        blocks=approval_blocks(content, status),
        metadata=approval_metadata(content.run_id, content.round),
    )


async def mark_decided(
    client: AsyncWebClient,
    channel: str,
    ts: str,
    blocks: list[Block],
    run_id: str,
    round: int,
    status: ApprovalStatus,
) -> None:
    """Replace the buttons of a posted approval message (whose ``blocks`` we hold)."""
    await client.chat_update(
        channel=channel,
        ts=ts,
        text=f"Fixer, {run_id}: {status.state.replace('_', ' ')}",
        blocks=decided_blocks(blocks, status),
        metadata=approval_metadata(run_id, round),
    )


def progress_text(phase: Phase, text: str) -> str:
    prefix = PHASE_PREFIX[phase]
    return f"{prefix}: {text}" if text else prefix


async def post_progress(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    run_id: str,
    phase: Phase,
    text: str,
    *,
    round: int = 1,
) -> dict[str, str]:
    """Reply in the run's thread that it reached ``phase`` (once per run, round and phase)."""
    marker = {"run_id": run_id, "round": round, "phase": phase}
    existing = await find_own_message(client, channel, thread_ts, PROGRESS_EVENT, marker)
    if existing is not None:
        return {"channel": channel, "ts": str(existing["ts"])}
    posted = await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=progress_text(phase, text),
        metadata={"event_type": PROGRESS_EVENT, "event_payload": marker},
        unfurl_links=False,
    )
    return {"channel": str(posted["channel"]), "ts": str(posted["ts"])}
