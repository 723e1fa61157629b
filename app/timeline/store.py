"""Writes and reads of ``timeline_events``; writes are insert-or-ignore by ``(run_id, key)``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from app.clock import utcnow
from app.db import get_engine, session_scope
from app.timeline.models import TimelineEvent


def record(
    database_url: str,
    run_id: str,
    key: str,
    kind: str,
    *,
    round: int = 1,
    agent: str = "",
    title: str = "",
    data: dict[str, Any] | None = None,
    artifact_sha: str | None = None,
) -> bool:
    """Write the event unless ``(run_id, key)`` is already there; True when the row is new.

    Callers emit spans and count metrics only on True, so a replay counts nothing twice.
    """
    values = {
        "run_id": run_id,
        "key": key,
        "round": round,
        "at": utcnow(),
        "kind": kind,
        "agent": agent,
        "title": title[:500],
        "data": data or {},
        "artifact_sha": artifact_sha,
    }
    engine = get_engine(database_url)
    table = TimelineEvent.__table__  # type: ignore[attr-defined]
    if engine.dialect.name == "sqlite":
        statement: Any = sqlite_insert(table).values(values).on_conflict_do_nothing()
    elif engine.dialect.name == "postgresql":
        statement = pg_insert(table).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the two databases Fixer supports are above
        statement = insert(table).values(values)
    with engine.begin() as connection:
        return bool(connection.execute(statement).rowcount == 1)


def events(database_url: str, run_id: str) -> list[TimelineEvent]:
    with session_scope(database_url) as session:
        query = (
            select(TimelineEvent)
            .where(TimelineEvent.run_id == run_id)
            .order_by(col(TimelineEvent.id))
        )
        return list(session.exec(query).all())


def events_of_kind(database_url: str, kind: str) -> list[TimelineEvent]:
    with session_scope(database_url) as session:
        query = select(TimelineEvent).where(TimelineEvent.kind == kind)
        return list(session.exec(query).all())
