"""``@Fixer fix owner/repo#N [instructions]``: start a run from Slack.

The Events API callback is acked before this runs (bolt acks events itself), so the
listener may call Slack and the database; it never calls GitHub or a model. The issue's
title is left for the workflow to fill.

Who may start a run from Slack: an approver (``FIXER_APPROVERS``, or any member of the
approval channel when that is empty). A Slack user has no GitHub login Fixer could ask
GitHub about, so the GitHub permission check that guards issue, label and ``/fix``
triggers does not apply here; the approver list is the gate, the same people who can
approve the result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func
from sqlmodel import col, select

from app.config import Settings
from app.db import session_scope
from app.models import Installation, Repository
from app.runs import store
from app.runs.decisions import audit
from app.runs.request import RunRequest
from app.runs.start import start_run
from app.slack.approvers import is_approver
from app.slack.issue_reference import IssueReference, parse_issue_reference

USAGE = (
    "Tell me which issue to fix: `@Fixer fix owner/repo#123` or an issue link, "
    "optionally followed by instructions."
)
NOT_AN_APPROVER = (
    "Only Fixer approvers can start runs (they spend the repository owner's money). "
    "Ask an admin to add your Slack user id to FIXER_APPROVERS."
)


def installed_repository(database_url: str, full_name: str) -> Repository | None:
    """The repository, if the GitHub App is installed on it (from installation webhooks)."""
    with session_scope(database_url) as session:
        repo = session.exec(
            select(Repository).where(
                func.lower(Repository.full_name) == full_name.lower(),
                col(Repository.removed_at).is_(None),
            )
        ).first()
        if repo is None:
            return None
        installation = session.get(Installation, repo.installation_id)
        if installation is not None and installation.deleted_at is not None:
            return None
        return repo


def run_link(settings: Settings, run_id: str) -> str:
    return f"<{settings.fixer_public_url}/runs/{quote(run_id, safe='')}|{run_id}>"


async def handle_mention(settings: Settings, client: AsyncWebClient, event: dict[str, Any]) -> None:
    channel, user = str(event["channel"]), str(event.get("user") or "")
    thread_ts = str(event.get("thread_ts") or event["ts"])

    async def reply(text: str) -> None:
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, unfurl_links=False
        )

    reference = parse_issue_reference(str(event.get("text") or ""))
    if reference is None:
        await reply(USAGE)
        return
    if not await is_approver(client, settings, user):
        audit(settings.database_url, user, "slack.mention_refused", reference_name(reference))
        await reply(f"<@{user}> {NOT_AN_APPROVER}")
        return
    repo = installed_repository(settings.database_url, reference.repo_full_name)
    if repo is None:
        await reply(
            f"Fixer is not installed on `{reference.repo_full_name}` (or no such repository): "
            "install the GitHub App on it, then ask again."
        )
        return
    active = store.active_run(settings.database_url, repo.full_name, reference.issue_number)
    if active and (active.slack_channel, active.slack_thread_ts) == (channel, thread_ts):
        return  # Slack redelivered this mention: the run it started already answered here
    outcome = await start_run(
        settings.database_url,
        RunRequest(
            repo_full_name=repo.full_name,
            repo_id=repo.id,
            installation_id=repo.installation_id,
            issue_number=reference.issue_number,
            trigger="slack",
            actor=user,
            instructions=reference.instructions,
            slack_channel=channel,
            slack_thread_ts=thread_ts,
        ),
    )
    link = run_link(settings, outcome.run_id)
    if outcome.kind == "busy":
        await reply(f"A Fixer run is already active on this issue: {link}. Nothing new started.")
    else:
        await reply(f"On it: started {link}. I'll post progress in this thread.")


def reference_name(reference: IssueReference) -> str:
    return f"{reference.repo_full_name}#{reference.issue_number}"


def register_mention_listener(app: AsyncApp, settings: Settings) -> None:
    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        await handle_mention(settings, client, event)
