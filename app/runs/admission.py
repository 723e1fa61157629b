"""Whether a run may start: the repository's trigger, and the permission of who asked.

Pure decisions on what the run's first steps fetched. A refusal is a reason stored on the
run (state ``skipped``), never a comment: outsiders get no reply to provoke.
"""

from __future__ import annotations

from app.repo_config import RepoConfig
from app.runs.request import RunRequest

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
"""Who may spend the owner's money (DESIGN §3); GitHub's ``permission`` field shows
maintain as write, so ``maintain`` is here only for GitHub Enterprise versions that differ."""
GITHUB_TRIGGERS = frozenset({"opened", "labeled", "comment", "assigned"})
"""Triggers whose actor is a GitHub login. A Slack mention is gated by ``FIXER_APPROVERS``
(Slack users have no GitHub identity here) and the CLI by access to the database."""


def trigger_refusal(config: RepoConfig, request: RunRequest, labels_now: list[str]) -> str | None:
    """Why the repository's ``trigger`` does not take this request, or None."""
    if request.at_creation:
        # The creation's deliveries start one run between them: it stands for the issue
        # as created, whichever of its deliveries arrived first.
        if config.trigger == "issues":
            return None
        if config.trigger in {*request.issue_labels, *labels_now}:
            return None
        return (
            f"the issue was opened without the trigger label {config.trigger!r} "
            "(.github/fixer.yml `trigger`)"
        )
    if config.accepts(request.trigger, request.label):
        return None
    if config.trigger == "issues":
        return f"label {request.label!r} added; this repository starts runs on new issues"
    return f"label {request.label!r} is not the trigger label {config.trigger!r}"


def permission_refusal(request: RunRequest, permission: str) -> str | None:
    """Why ``permission`` (GitHub's answer for the actor) may not start a run, or None."""
    if permission in WRITE_PERMISSIONS:
        return None
    return (
        f"{request.actor} has {permission} permission on {request.repo_full_name}; "
        "starting a run needs write, maintain or admin"
    )
