"""The trigger policy (DESIGN §3): which events may spend the repository owner's money.

Pure functions of the payload: ingress must answer without calling GitHub. What needs
GitHub is checked by the run's first steps: the configured trigger, and whether whoever
asked has write access. ``author_association`` is never trusted for that: webhooks show a
private member of the organisation as ``NONE``, and ``MEMBER``/``COLLABORATOR`` include
read-only people.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from app.runs.request import RunRequest

FIX_COMMAND = re.compile(r"\A\s*/fix(?:[ \t]+(?P<instructions>.*))?\s*\Z", re.DOTALL)


class Ignored(BaseModel):
    """Why an event starts nothing (logged, and stored on the delivery)."""

    reason: str


def run_request_for(event: str, payload: dict[str, Any]) -> RunRequest | Ignored:
    """The run this event asks for, or why it asks for none."""
    action = payload.get("action")
    if event == "issues" and action in ("opened", "labeled"):
        return _from_issue_event(payload, action)
    if event == "issues" and action == "assigned":
        return _from_assignment(payload)
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


def _labels(issue: dict[str, Any]) -> list[str]:
    return [str(label.get("name")) for label in issue.get("labels") or [] if label.get("name")]


def _from_issue_event(payload: dict[str, Any], action: str) -> RunRequest | Ignored:
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    sender = payload.get("sender") or {}
    if sender.get("type") == "Bot":
        return Ignored(reason="sender is a bot")
    issue = payload["issue"]
    if action == "opened":
        return RunRequest(
            **base,
            trigger="opened",
            actor=issue["user"]["login"],
            issue_labels=_labels(issue),
            at_creation=True,
        )
    label = (payload.get("label") or {}).get("name")
    if not label:
        return Ignored(reason="labeled event without a label")
    # A label the issue was created with comes right after ``opened``, and the issue in it
    # is unchanged since its creation (octokit/webhooks' ``issues.labeled`` example has
    # ``updated_at == created_at``); a label added later moves ``updated_at``.
    created = issue.get("created_at")
    return RunRequest(
        **base,
        trigger="labeled",
        actor=sender.get("login", ""),
        label=label,
        issue_labels=_labels(issue),
        at_creation=created is not None and issue.get("updated_at") == created,
    )


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
    return RunRequest(
        **base,
        trigger="comment",
        actor=comment["user"]["login"],
        instructions=(match.group("instructions") or "").strip(),
        comment_id=comment.get("id"),
    )


def _from_assignment(payload: dict[str, Any]) -> RunRequest | Ignored:
    """An issue assigned to a bot user, as to Copilot: whoever assigned it asks for a run.

    Ingress cannot know this App's slug without calling GitHub, so any ``[bot]`` assignee
    passes here and the run checks that it is this App's bot before anything shows.
    """
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    sender = payload.get("sender") or {}
    if sender.get("type") == "Bot":
        return Ignored(reason="sender is a bot")
    assignee = payload.get("assignee") or {}
    login = str(assignee.get("login") or "")
    if assignee.get("type") != "Bot" or not login.endswith("[bot]"):
        return Ignored(reason=f"issue assigned to {login or 'nobody'}, not to a bot")
    return RunRequest(
        **base,
        trigger="assigned",
        actor=sender.get("login", ""),
        assignee=login,
        issue_labels=_labels(payload["issue"]),
    )
