"""A run that hits a bug of ours fails saying so, never left active with nothing to move it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from dbos._error import DBOSWorkflowCancelledError

from app.runs import workflow

PHASE = SimpleNamespace(parent_removes_sandbox=False)
"""A round's input as far as the failure path reads it (its container is the round's)."""


class Journal:
    run_id = "acme/calc#1:1"
    spent = 0.25

    def __init__(self) -> None:
        self.failed: list[tuple[str, float]] = []

    async def fail(self, reason: str, spent: float) -> str:
        self.failed.append((reason, spent))
        return "failed"


async def test_an_unexpected_error_in_a_round_fails_the_run_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*_: Any) -> str:
        raise IndexError("list index out of range")

    monkeypatch.setattr(workflow, "_rounds", broken)
    journal = Journal()

    state = await workflow.approval_rounds(journal, PHASE, None, {})  # type: ignore[arg-type]

    assert state == "failed"
    assert journal.failed == [("internal error: IndexError: list index out of range", 0.25)]


async def test_a_cancelled_run_is_not_taken_for_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    async def cancelled(*_: Any) -> str:
        raise DBOSWorkflowCancelledError("acme/calc#1:1")

    monkeypatch.setattr(workflow, "_rounds", cancelled)
    journal = Journal()

    with pytest.raises(DBOSWorkflowCancelledError):
        await workflow.approval_rounds(journal, PHASE, None, {})  # type: ignore[arg-type]
    assert journal.failed == []
