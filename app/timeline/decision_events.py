"""A person's decision on a round, on the run's timeline, with how long the round waited."""

from __future__ import annotations

from datetime import UTC, datetime

from app.timeline import metrics, store
from app.timeline.recorder import note


def _awaiting_since(database_url: str, run_id: str, round: int) -> datetime | None:
    rows = [
        row
        for row in store.events(database_url, run_id)
        if row.kind == "state"
        and row.data.get("state") == "awaiting_approval"
        and row.round == round
    ]
    return rows[0].at if rows else None


def note_decision(
    database_url: str,
    run_id: str,
    round: int,
    action: str,
    who: str,
    feedback: str,
    source: str,
) -> None:
    """Called once the decision row is stored (the unique round makes this once per round)."""
    new = note(
        run_id,
        f"decision.round{round}",
        "decision",
        title=f"{who}: {action.replace('_', ' ')}",
        round=round,
        data={"action": action, "who": who, "feedback": feedback, "source": source},
        database_url=database_url,
    )
    since = _awaiting_since(database_url, run_id, round)
    if new and since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        metrics.APPROVAL_WAIT.observe((datetime.now(UTC) - since).total_seconds())
