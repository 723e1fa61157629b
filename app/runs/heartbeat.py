"""Worker heartbeats, and taking over the runs of a worker that fell silent.

DBOS recovers, at start-up, only the workflows of its own executor id. A worker that dies
for good (its host gone) would strand its runs; so every worker writes a heartbeat, and
a worker that sees another silent past ``FIXER_EXECUTOR_TIMEOUT_S`` claims it (one
conditional update, so exactly one survivor does) and recovers its pending workflows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from dbos import DBOS
from sqlalchemy import update
from sqlmodel import col, select

from app.clock import utcnow
from app.db import session_scope
from app.models import ExecutorHeartbeat

log = logging.getLogger("fixer.heartbeat")


def beat(database_url: str, executor_id: str) -> None:
    with session_scope(database_url) as session:
        row = session.get(ExecutorHeartbeat, executor_id)
        if row is None:
            row = ExecutorHeartbeat(id=executor_id)
        row.last_seen = utcnow()
        row.taken_over_by = None
        session.add(row)


def claim_silent(database_url: str, executor_id: str, timeout_s: float) -> list[str]:
    """Executors silent past the timeout that this one now owns the recovery of."""
    cutoff = utcnow() - timedelta(seconds=timeout_s)
    claimed: list[str] = []
    with session_scope(database_url) as session:
        silent = session.exec(
            select(ExecutorHeartbeat.id).where(
                col(ExecutorHeartbeat.last_seen) < cutoff,
                col(ExecutorHeartbeat.taken_over_by).is_(None),
                ExecutorHeartbeat.id != executor_id,
            )
        ).all()
        for other in silent:
            result = session.exec(  # type: ignore[call-overload]
                update(ExecutorHeartbeat)
                .where(
                    col(ExecutorHeartbeat.id) == other,
                    col(ExecutorHeartbeat.taken_over_by).is_(None),
                    col(ExecutorHeartbeat.last_seen) < cutoff,
                )
                .values(taken_over_by=executor_id)
            )
            if result.rowcount == 1:
                claimed.append(other)
    return claimed


class Heartbeat:
    """The background task of a worker process: beat, and watch the others."""

    def __init__(self, database_url: str, executor_id: str, timeout_s: float) -> None:
        self.database_url = database_url
        self.executor_id = executor_id
        self.timeout_s = timeout_s
        self.interval_s = max(0.5, timeout_s / 6)
        self._task: asyncio.Task[None] | None = None
        # Its own thread: a busy worker's shared pool is full of DBOS polls and steps, and a
        # beat queued behind them for a timeout makes a live worker look dead, so that
        # another recovers (runs a second time) the workflows it is still running.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fixer-heartbeat")

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="fixer-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._thread.shutdown(wait=False)

    async def tick(self) -> list[str]:
        """One beat; returns the executors whose runs this worker took over."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, beat, self.database_url, self.executor_id)
        taken = await loop.run_in_executor(
            self._thread, claim_silent, self.database_url, self.executor_id, self.timeout_s
        )
        if taken:
            log.warning("taking over the pending runs of silent workers %s", taken)
            # DBOS's own recovery, pointed at the silent executors' ids.
            await asyncio.to_thread(DBOS._recover_pending_workflows, taken)
        return taken

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("heartbeat failed; trying again")
            await asyncio.sleep(self.interval_s)
