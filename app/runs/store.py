"""Reads and writes of the ``runs`` projection (the DBOS workflow is the durable truth)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import and_, col, or_, select

from app.clock import utcnow
from app.db import session_scope
from app.models import ACTIVE_STATES, Run, RunState
from app.runs.request import RunRequest


def active_run(database_url: str, repo_full_name: str, issue_number: int) -> Run | None:
    with session_scope(database_url) as session:
        return session.exec(
            select(Run).where(
                Run.repo_full_name == repo_full_name,
                Run.issue_number == issue_number,
                col(Run.state).in_([s.value for s in ACTIVE_STATES]),
            )
        ).first()


def next_attempt(database_url: str, repo_full_name: str, issue_number: int) -> int:
    with session_scope(database_url) as session:
        latest = session.exec(
            select(func.max(Run.attempt)).where(
                Run.repo_full_name == repo_full_name, Run.issue_number == issue_number
            )
        ).one()
        return int(latest or 0) + 1


def record_run(database_url: str, run_id: str, request: RunRequest, attempt: int) -> None:
    """Insert the run's row if it is not there yet (idempotent)."""
    with session_scope(database_url) as session:
        if session.get(Run, run_id) is not None:
            return
        session.add(
            Run(
                id=run_id,
                repo_full_name=request.repo_full_name,
                repo_id=request.repo_id,
                installation_id=request.installation_id,
                issue_number=request.issue_number,
                attempt=attempt,
                issue_title=request.issue_title,
                trigger=request.trigger,
                actor=request.actor,
                instructions=request.instructions,
                slack_channel=request.slack_channel,
                slack_thread_ts=request.slack_thread_ts,
            )
        )


def update_run(database_url: str, run_id: str, **fields: Any) -> None:
    """Set fields on a run; a terminal state also stamps ``finished_at``."""
    with session_scope(database_url) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise LookupError(f"run {run_id} is not recorded")
        for name, value in fields.items():
            setattr(run, name, value)
        run.updated_at = utcnow()
        state = fields.get("state")
        if state is not None and RunState(state) not in ACTIVE_STATES:
            run.finished_at = run.updated_at
        session.add(run)


def get_run(database_url: str, run_id: str) -> Run | None:
    with session_scope(database_url) as session:
        return session.get(Run, run_id)


def list_runs(
    database_url: str, *, repo: str | None = None, state: str | None = None, limit: int = 100
) -> list[Run]:
    with session_scope(database_url) as session:
        query = select(Run).order_by(col(Run.created_at).desc()).limit(limit)
        if repo:
            query = query.where(Run.repo_full_name == repo)
        if state:
            query = query.where(Run.state == state)
        return list(session.exec(query).all())


def opening_pr_in(database_url: str, repo_full_name: str, pr_number: int) -> bool:
    """Whether a run of the repository is opening a PR right now, or has just opened PR
    ``pr_number``: its state says ``pr_opened`` a few steps before it records the PR as its
    own (``record_lineage``), and a crash can stretch those steps to a recovery's length."""
    with session_scope(database_url) as session:
        found = session.exec(
            select(Run.id).where(
                Run.repo_full_name == repo_full_name,
                or_(
                    Run.state == RunState.opening_pr,
                    and_(
                        Run.state == RunState.pr_opened,
                        col(Run.pr_url).endswith(f"/pull/{pr_number}"),
                    ),
                ),
            )
        ).first()
    return found is not None
