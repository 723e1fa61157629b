"""The pull requests Fixer opened, and the feedback waiting on them (``pr_lineage``,
``pr_feedback``).

Only a PR recorded here is followed: ``open_pr`` records it when it opens the PR, and a
``pull_request.closed`` ends it. Feedback is stored once per ``FeedbackEvent.key`` (a
redelivered webhook stores nothing new) and claimed by a follow-up round in one
conditional update, so two rounds never share a piece and none is lost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.clock import utcnow
from app.db import session_scope
from app.models import PullRequestFeedback, PullRequestLineage
from app.runs.feedback import FeedbackEvent


def record_lineage(database_url: str, **fields: Any) -> None:
    """Record (or refresh) the PR a run opened; idempotent, so a re-run step adds nothing."""
    with session_scope(database_url) as session:
        found = session.exec(
            select(PullRequestLineage).where(
                PullRequestLineage.repo_full_name == fields["repo_full_name"],
                PullRequestLineage.pr_number == fields["pr_number"],
            )
        ).first()
        if found is None:
            session.add(PullRequestLineage(**fields))


def get_lineage(
    database_url: str, repo_full_name: str, pr_number: int
) -> PullRequestLineage | None:
    with session_scope(database_url) as session:
        return session.exec(
            select(PullRequestLineage).where(
                PullRequestLineage.repo_full_name == repo_full_name,
                PullRequestLineage.pr_number == pr_number,
            )
        ).first()


def lineage_of_run(database_url: str, run_id: str) -> list[PullRequestLineage]:
    with session_scope(database_url) as session:
        return list(
            session.exec(select(PullRequestLineage).where(PullRequestLineage.run_id == run_id))
        )


def update_lineage(database_url: str, repo_full_name: str, pr_number: int, **fields: Any) -> None:
    with session_scope(database_url) as session:
        session.exec(  # type: ignore[call-overload]
            update(PullRequestLineage)
            .where(
                col(PullRequestLineage.repo_full_name) == repo_full_name,
                col(PullRequestLineage.pr_number) == pr_number,
            )
            .values(**fields)
        )


def close_lineage(database_url: str, repo_full_name: str, pr_number: int, merged: bool) -> bool:
    """End the lineage; False when it was not open (not ours, or closed before)."""
    with session_scope(database_url) as session:
        result = session.exec(  # type: ignore[call-overload]
            update(PullRequestLineage)
            .where(
                col(PullRequestLineage.repo_full_name) == repo_full_name,
                col(PullRequestLineage.pr_number) == pr_number,
                col(PullRequestLineage.state) == "open",
            )
            .values(state="merged" if merged else "closed", closed_at=utcnow())
        )
        return bool(result.rowcount == 1)


def store_feedback(database_url: str, event: FeedbackEvent) -> bool:
    """Keep ``event`` for the next round; False when its key was stored before."""
    try:
        with session_scope(database_url) as session:
            session.add(
                PullRequestFeedback(
                    repo_full_name=event.repo_full_name,
                    pr_number=event.pr_number,
                    key=event.key,
                    kind=event.kind,
                    event=event.model_dump(mode="json"),
                )
            )
    except IntegrityError:
        return False
    return True


def claim_feedback(
    database_url: str, repo_full_name: str, pr_number: int, round_id: str
) -> list[FeedbackEvent]:
    """Claim every unclaimed piece of feedback of the PR for ``round_id``, oldest first.

    What this round claimed before (a re-run step) is claimed again, so a replay gets the
    same batch plus nothing that another round took.
    """
    with session_scope(database_url) as session:
        session.exec(  # type: ignore[call-overload]
            update(PullRequestFeedback)
            .where(
                col(PullRequestFeedback.repo_full_name) == repo_full_name,
                col(PullRequestFeedback.pr_number) == pr_number,
                col(PullRequestFeedback.round_id).is_(None),
            )
            .values(round_id=round_id)
        )
        rows = session.exec(
            select(PullRequestFeedback)
            .where(PullRequestFeedback.round_id == round_id)
            .order_by(col(PullRequestFeedback.id))
        ).all()
        return [FeedbackEvent.model_validate(row.event) for row in rows]


def feedback_of_round(database_url: str, round_id: str) -> list[PullRequestFeedback]:
    with session_scope(database_url) as session:
        return list(
            session.exec(
                select(PullRequestFeedback)
                .where(PullRequestFeedback.round_id == round_id)
                .order_by(col(PullRequestFeedback.id))
            )
        )


def set_outcome(database_url: str, round_id: str, key: str, outcome: str) -> None:
    with session_scope(database_url) as session:
        session.exec(  # type: ignore[call-overload]
            update(PullRequestFeedback)
            .where(
                col(PullRequestFeedback.round_id) == round_id,
                col(PullRequestFeedback.key) == key,
            )
            .values(outcome=outcome[:500])
        )


def waiting_feedback(database_url: str, repo_full_name: str, pr_number: int) -> list[str]:
    """Keys of the PR's feedback that no round has claimed yet, oldest first."""
    with session_scope(database_url) as session:
        return list(
            session.exec(
                select(PullRequestFeedback.key)
                .where(
                    col(PullRequestFeedback.repo_full_name) == repo_full_name,
                    col(PullRequestFeedback.pr_number) == pr_number,
                    col(PullRequestFeedback.round_id).is_(None),
                )
                .order_by(col(PullRequestFeedback.id))
            )
        )
