"""The trigger policy (DESIGN §3): which events may spend the repository owner's money.

Pure functions of the payload: ingress must answer without calling GitHub. What needs
GitHub (a labeller's permission, the repo's configured trigger) is checked by the run's
first steps.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from app.runs.request import RunRequest

TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
FIX_COMMAND = re.compile(r"\A\s*/fix(?:[ \t]+(?P<instructions>.*))?\s*\Z", re.DOTALL)


class Ignored(BaseModel):
    """Why an event starts nothing (logged, and stored on the delivery)."""

    reason: str


def run_request_for(event: str, payload: dict[str, Any]) -> RunRequest | Ignored:
    """The run this event asks for, or why it asks for none."""
    action = payload.get("action")
    if event == "issues" and action in ("opened", "labeled"):
        return _from_issue_event(payload, action)
    if event == "issue_comment" and action == "created":
        return _from_comment(payload)
    return Ignored(reason=f"{event}.{action} does not start runs")


def _base(payload: dict[str, Any]) -> dict[str, Any] | Ignored:
    installation = payload.get("installation") or {}
    repo = payload.get("repository") or {}
    issue = payload.get("issue") or {}
    if not installation.get("id"):
        return Ignored(reason="no installation in payload")
    if not repo.get("full_name") or not issue.get("number"):
        return Ignored(reason="payload has no repository or issue")
    if issue.get("pull_request"):
        return Ignored(reason="pull requests are not fixed")
    if issue.get("state") == "closed":
        return Ignored(reason="issue is closed")
    return {
        "repo_full_name": repo["full_name"],
        "repo_id": repo["id"],
        "installation_id": installation["id"],
        "issue_number": issue["number"],
        "issue_title": issue.get("title") or "",
    }


def _from_issue_event(payload: dict[str, Any], action: str) -> RunRequest | Ignored:
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    sender = payload.get("sender") or {}
    if sender.get("type") == "Bot":
        return Ignored(reason="sender is a bot")
    if action == "opened":
        association = (payload["issue"].get("author_association") or "NONE").upper()
        if association not in TRUSTED_ASSOCIATIONS:
            return Ignored(reason=f"author is {association}, not owner, member or collaborator")
        return RunRequest(**base, trigger="opened", actor=payload["issue"]["user"]["login"])
    label = (payload.get("label") or {}).get("name")
    if not label:
        return Ignored(reason="labeled event without a label")
    # Whether the labeller has write access needs GitHub: the run checks it first.
    return RunRequest(**base, trigger="labeled", actor=sender.get("login", ""), label=label)


def _from_comment(payload: dict[str, Any]) -> RunRequest | Ignored:
    comment = payload.get("comment") or {}
    match = FIX_COMMAND.match(comment.get("body") or "")
    if not match:
        return Ignored(reason="comment is not a /fix command")
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    if (comment.get("user") or {}).get("type") == "Bot":
        return Ignored(reason="comment author is a bot")
    association = (comment.get("author_association") or "NONE").upper()
    if association not in TRUSTED_ASSOCIATIONS:
        return Ignored(reason=f"commenter is {association}, not owner, member or collaborator")
    return RunRequest(
        **base,
        trigger="comment",
        actor=comment["user"]["login"],
        instructions=(match.group("instructions") or "").strip(),
    )
