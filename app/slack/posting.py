"""Posting to Slack exactly once from steps that may run more than once.

A workflow step is at-least-once: a worker that dies after Slack answered but before the
step's result was recorded runs the step again. Every message Fixer posts therefore
carries Slack message ``metadata`` naming the run, round (and phase), and each post first
looks for the bot's own message with that metadata in the channel or thread.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
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
from app.slack.text import cut, escape

PROGRESS_EVENT = "fixer_progress"
DIFF_FILE = "fixer_diff_file"
"""Not a metadata type: the key under which an uploaded diff is remembered."""
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


_posted: dict[tuple[str, str, str, str, str], str] = {}
"""Messages this process posted: (workspace, channel, thread, event type, marker) → ts. A
step retried in the same process (a later call of the step failed) finds its message here
instead of reading the channel's history again (a tier-3 method,
https://docs.slack.dev/reference/methods/conversations.history)."""
_POSTED_MAX = 10_000


def _posted_key(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    event_type: str,
    payload: dict[str, Any],
) -> tuple[str, str, str, str, str]:
    marker = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return (f"{client.base_url}|{client.token}", channel, thread_ts or "", event_type, marker)


def remember_posted(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    event_type: str,
    payload: dict[str, Any],
    ts: str,
) -> None:
    if len(_posted) >= _POSTED_MAX:
        _posted.clear()  # a cache, not a record: the history is the record
    _posted[_posted_key(client, channel, thread_ts, event_type, payload)] = ts


async def find_own_message(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    event_type: str,
    payload: dict[str, Any],
) -> dict[str, Any] | None:
    """The bot's message in ``channel`` (or its thread) whose metadata matches, if any."""
    known = _posted.get(_posted_key(client, channel, thread_ts, event_type, payload))
    if known is not None:
        return {"ts": known}
    own = await bot_id(client)
    for message in await _recent_messages(client, channel, thread_ts):
        metadata = message.get("metadata") or {}
        found = metadata.get("event_payload") or {}
        if (
            message.get("bot_id") == own
            and metadata.get("event_type") == event_type
            and all(found.get(key) == value for key, value in payload.items())
        ):
            remember_posted(client, channel, thread_ts, event_type, payload, str(message["ts"]))
            return message
    return None


async def permalink(client: AsyncWebClient, channel: str, ts: str) -> str:
    """A link to a message (https://docs.slack.dev/reference/methods/chat.getPermalink), or
    '' when Slack will not give one: a missing link never stops a run."""
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError:
        return ""
    return str(response.get("permalink") or "")


def diff_filename(run_id: str, round: int) -> str:
    return f"fixer-{re.sub(r'[^A-Za-z0-9._-]+', '-', run_id).strip('-')}-round{round}.diff"


async def _attach_diff(
    client: AsyncWebClient, channel: str, thread_ts: str, content: ApprovalContent
) -> None:
    name = diff_filename(content.run_id, content.round)
    marker = {"file": name}
    if _posted.get(_posted_key(client, channel, thread_ts, DIFF_FILE, marker)):
        return
    for message in await _recent_messages(client, channel, thread_ts):
        if any(f.get("name") == name for f in message.get("files") or []):
            remember_posted(client, channel, thread_ts, DIFF_FILE, marker, str(message["ts"]))
            return
    await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=content.diff,
        filename=name,
        title=f"Full diff, round {content.round}",
    )
    remember_posted(client, channel, thread_ts, DIFF_FILE, marker, name)


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
        remember_posted(client, channel, thread_ts, APPROVAL_EVENT, marker, ts)
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


PROGRESS_LIMIT = 3000
"""Of a progress reply (escaped): a failure's reason can be a whole traceback; the run page
has all of it. Slack refuses a ``text`` over 40,000 (``msg_too_long``)."""


def progress_text(phase: Phase, text: str, *, formatted: bool = False) -> str:
    """The reply for ``phase``; ``text`` is escaped unless it is ``formatted`` mrkdwn."""
    prefix = PHASE_PREFIX[phase]
    if not text:
        return prefix
    body = text if formatted else escape(text)
    return f"{prefix}: {cut(body, PROGRESS_LIMIT - len(prefix) - 3)}"


async def post_progress(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    run_id: str,
    phase: Phase,
    text: str,
    *,
    round: int = 1,
    formatted: bool = False,
) -> dict[str, str]:
    """Reply in the run's thread that it reached ``phase`` (once per run, round and phase).

    ``text`` is plain text (escaped here) unless ``formatted``: mrkdwn built by Fixer."""
    marker = {"run_id": run_id, "round": round, "phase": phase}
    existing = await find_own_message(client, channel, thread_ts, PROGRESS_EVENT, marker)
    if existing is not None:
        return {"channel": channel, "ts": str(existing["ts"])}
    posted = await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=progress_text(phase, text, formatted=formatted),
        metadata={"event_type": PROGRESS_EVENT, "event_payload": marker},
        unfurl_links=False,
    )
    remember_posted(client, channel, thread_ts, PROGRESS_EVENT, marker, str(posted["ts"]))
    return {"channel": str(posted["channel"]), "ts": str(posted["ts"])}


async def approval_message(
    client: AsyncWebClient, channel: str, message_ts: str, thread_ts: str | None = None
) -> dict[str, Any] | None:
    """The posted message at ``message_ts`` (a reply in ``thread_ts``, or top level)."""
    if thread_ts:
        page = await client.conversations_replies(channel=channel, ts=thread_ts)
    else:
        page = await client.conversations_history(
            channel=channel, latest=message_ts, inclusive=True, limit=1
        )
    messages = page.get("messages") or []
    return next((m for m in messages if m.get("ts") == message_ts), None)
