"""Who may decide on a run: ``FIXER_APPROVERS``, or else the approval channel's members."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings

_MAX_PAGES = 20
"""Enough for 20,000 members; a bigger approval channel is not a list of approvers."""


async def channel_members(client: AsyncWebClient, channel: str) -> set[str]:
    members: set[str] = set()
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        page = await client.conversations_members(channel=channel, limit=1000, cursor=cursor)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    return members


async def is_approver(client: AsyncWebClient, settings: Settings, user_id: str) -> bool:
    """Whether the Slack user ``user_id`` may approve, request changes, reject or start runs."""
    if settings.fixer_approvers:
        return user_id in settings.fixer_approvers
    if not settings.slack_approval_channel:
        return False  # no list and no channel: nobody is trusted with the owner's money
    return user_id in await channel_members(client, settings.slack_approval_channel)
