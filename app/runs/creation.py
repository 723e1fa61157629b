"""An issue's creation: ``opened`` and one ``labeled`` per label, one run between them.

GitHub sends ``issues.opened`` (the issue already lists its labels) and then an
``issues.labeled`` for every label the issue was created with (issue forms, templates,
``gh issue create --label``), in no promised order. The first of them to arrive starts the
issue's run; the run judges the issue as created (its labels included), so the others
start nothing and post nothing — each says why on its delivery record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dbos import DBOS
from sqlmodel import col, select

from app.db import session_scope
from app.models import Run
from app.runs.request import RunRequest

CREATION_WINDOW = timedelta(minutes=10)
"""How long after the creation's run a label it already saw is still taken as part of the
creation (when the delivery itself does not show it): deliveries come seconds apart, and
taking a label off and on again this soon is not a new request."""


def covered_by_creation(database_url: str, request: RunRequest) -> tuple[str, str] | None:
    """``(run id, reason)`` when the issue's creation run already answers ``request``."""
    if not request.on_issue:
        return None
    first = _first_run(database_url, request.repo_full_name, request.issue_number)
    if first is None:
        return None
    started_by = _request_of(first.id)
    if started_by is None or not started_by.at_creation:
        return None
    # GitHub's timestamps are whole seconds: a label added within the creation's second
    # looks like one set at creation. The creation run saw the issue's labels; a label it
    # did not see is a later request, whatever the timestamps say.
    unseen = request.label is not None and request.label not in started_by.issue_labels
    if request.at_creation and not unseen:
        return first.id, (
            f"{_what(request)} is part of the issue's creation, which run {first.id} "
            "already handles"
        )
    recent = _aware(first.created_at) > datetime.now(UTC) - CREATION_WINDOW
    if request.label is not None and request.label in started_by.issue_labels and recent:
        return first.id, (
            f"label {request.label!r} was set when the issue was created; run {first.id} "
            "already judged the issue with it"
        )
    return None


def _what(request: RunRequest) -> str:
    return "issues.opened" if request.trigger == "opened" else f"label {request.label!r}"


def _first_run(database_url: str, repo_full_name: str, issue_number: int) -> Run | None:
    with session_scope(database_url) as session:
        return session.exec(
            select(Run)
            .where(Run.repo_full_name == repo_full_name, Run.issue_number == issue_number)
            .order_by(col(Run.attempt))
            .limit(1)
        ).first()


def _request_of(workflow_id: str) -> RunRequest | None:
    """The request a run was started with: the argument its workflow recorded."""
    found = DBOS.list_workflows(workflow_ids=[workflow_id], load_output=False)
    if not found or not found[0].input:
        return None
    args = found[0].input["args"]
    if len(args) < 2 or not isinstance(args[1], dict):
        return None
    return RunRequest.model_validate(args[1])


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
