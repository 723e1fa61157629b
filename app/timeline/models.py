"""The ``timeline_events`` table: one row per thing a person watching a run wants to see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from app.clock import utcnow


class TimelineEvent(SQLModel, table=True):
    """One event of a run, written once: ``(run_id, key)`` is unique, so a replayed step or a
    replayed agent event that writes its row again changes nothing."""

    __tablename__ = "timeline_events"
    __table_args__ = (UniqueConstraint("run_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    """Insertion order, which is the order things happened in."""
    run_id: str = Field(index=True)
    key: str
    """The event's identity: the step that caused it, or the agent event's place in the loop."""
    round: int = 1
    at: datetime = Field(default_factory=utcnow)
    kind: str
    """``model_call``, ``assistant_text``, ``tool_call``, ``tool_output``, ``notice``, ``plan``,
    ``decision``, ``side_effect``, ``state`` or ``diff``."""
    agent: str = ""
    """``planner``, ``coder``, or empty for the run's own events."""
    title: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    artifact_sha: str | None = None
    """Big content (a round's patch) lives in ``artifacts``, referenced by hash."""
