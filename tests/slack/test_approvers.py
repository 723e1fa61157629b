"""Who may decide: FIXER_APPROVERS, else the approval channel's members."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.slack.approvers import is_approver
from devtools.slack_api import FakeSlack
from tests.slack.conftest import APPROVER, CHANNEL, STRANGER


async def test_listed_approvers_decide_and_channel_membership_does_not_matter(
    settings: Settings, slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    slack.state.members[CHANNEL].append(STRANGER)
    assert await is_approver(web_client, settings, APPROVER)
    assert not await is_approver(web_client, settings, STRANGER)
    assert slack.calls_to("conversations.members") == []


async def test_without_a_list_members_of_the_approval_channel_decide(
    settings: Settings, slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    open_settings = settings.model_copy(update={"fixer_approvers": []})
    assert await is_approver(web_client, open_settings, APPROVER)
    assert not await is_approver(web_client, open_settings, STRANGER)
    assert slack.calls_to("conversations.members")[0]["channel"] == CHANNEL


async def test_without_a_list_or_a_channel_nobody_decides(
    settings: Settings, web_client: AsyncWebClient
) -> None:
    closed = settings.model_copy(update={"fixer_approvers": [], "slack_approval_channel": None})
    assert not await is_approver(web_client, closed, APPROVER)
