"""Who may decide on a run: ``FIXER_APPROVERS``, or else the approval channel's members.

Channel membership is cached for a minute: ``conversations.members`` of a big channel is
paged and slow (https://docs.slack.dev/reference/methods/conversations.members), and the
answer is asked for on every click. Someone removed from the channel may still decide for
up to ``MEMBERS_TTL_S``; ``FIXER_APPROVERS`` takes effect at once.
"""

from __future__ import annotations

import asyncio
import time

from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings

_MAX_PAGES = 20
"""Enough for 20,000 members; a bigger approval channel is not a list of approvers."""
MEMBERS_TTL_S = 60.0

_members: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
_lookups: dict[tuple[str, str], asyncio.Future[frozenset[str]]] = {}


async def channel_members(client: AsyncWebClient, channel: str) -> set[str]:
    """The channel's members, from a cache of at most ``MEMBERS_TTL_S``; clicks arriving
    together share one look-up."""
    key = (f"{client.base_url}|{client.token}", channel)
    cached = _members.get(key)
    if cached is not None and time.monotonic() - cached[0] < MEMBERS_TTL_S:
        return set(cached[1])
    lookup = _lookups.get(key)
    if lookup is None or lookup.done():
        lookup = _lookups[key] = asyncio.ensure_future(_fetch(client, channel, key))
    return set(await asyncio.shield(lookup))


async def _fetch(client: AsyncWebClient, channel: str, key: tuple[str, str]) -> frozenset[str]:
    members: set[str] = set()
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        page = await client.conversations_members(channel=channel, limit=1000, cursor=cursor)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    _members[key] = (time.monotonic(), frozenset(members))
    return frozenset(members)


def forget_members() -> None:
    """Drop the cache (tests that change a channel's members)."""
    _members.clear()
    _lookups.clear()


async def is_approver(client: AsyncWebClient, settings: Settings, user_id: str) -> bool:
    """Whether the Slack user ``user_id`` may approve, request changes, reject or start runs."""
    if settings.fixer_approvers:
        return user_id in settings.fixer_approvers
    if not settings.slack_approval_channel:
        return False  # no list and no channel: nobody is trusted with the owner's money
    return user_id in await channel_members(client, settings.slack_approval_channel)
