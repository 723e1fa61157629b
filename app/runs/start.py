"""Starting a run: one per issue at a time, one workflow per ``owner/repo#N:attempt``.

It reads and writes our tables and enqueues a DBOS workflow, nothing else: no GitHub, no
model. The workflow id is deterministic, so a retried or redelivered trigger attaches to
the run that exists instead of starting another.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from dbos import DBOS, EnqueueOptions
from pydantic import BaseModel

from app.runs import store
from app.runs.creation import covered_by_creation
from app.runs.queues import NOTICES_QUEUE, RUNS_QUEUE
from app.runs.request import RunRequest


class StartOutcome(BaseModel):
    kind: Literal["started", "busy", "covered"]
    run_id: str
    reason: str = ""
    """For ``covered``: why this delivery starts nothing and says nothing."""

    @property
    def delivery_outcome(self) -> str:
        """What the delivery's record says came of it (``webhook_deliveries.outcome``)."""
        if self.kind == "covered":
            return f"ignored:{self.reason}"
        return f"{self.kind}:{self.run_id}"


def start_run_blocking(database_url: str, request: RunRequest) -> StartOutcome:
    """Enqueue the run for ``request``, or say that one is already active.

    The deliveries of an issue's creation (``opened`` and a ``labeled`` per label, in any
    order) start one run between them and never a notice about it.
    """
    covering = covered_by_creation(database_url, request)
    if covering is not None:
        run_id, reason = covering
        return StartOutcome(kind="covered", run_id=run_id, reason=reason)
    active = store.active_run(database_url, request.repo_full_name, request.issue_number)
    if active is not None:
        DBOS.enqueue_workflow_with_options(
            EnqueueOptions(
                queue_name=NOTICES_QUEUE,
                workflow_name="notify_already_active",
                workflow_id=f"busy:{active.id}:{request.trigger}:{request.actor}",
            ),
            active.id,
            request.model_dump(mode="json"),
        )
        return StartOutcome(kind="busy", run_id=active.id)
    attempt = store.next_attempt(database_url, request.repo_full_name, request.issue_number)
    run_id = request.run_id(attempt)
    # Enqueue first: if this process dies before the row is written, the workflow's
    # first step writes it, so nothing is lost between the two.
    DBOS.enqueue_workflow_with_options(
        EnqueueOptions(
            queue_name=RUNS_QUEUE,
            workflow_name="fix_issue",
            workflow_id=run_id,
        ),
        run_id,
        request.model_dump(mode="json"),
        attempt,
    )
    store.record_run(database_url, run_id, request, attempt)
    return StartOutcome(kind="started", run_id=run_id)


async def start_run(database_url: str, request: RunRequest) -> StartOutcome:
    """:func:`start_run_blocking` off the event loop (its database work is synchronous)."""
    return await asyncio.to_thread(start_run_blocking, database_url, request)
