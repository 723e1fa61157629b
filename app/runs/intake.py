"""The run intake: starts the runs that accepted deliveries owe, just after the 202.

One task per web process. Ingress kicks it after storing a ``pending`` delivery; it also
sweeps on start-up and every few seconds, so a delivery stored by a process that died
before starting its run is started by whichever process looks next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.runs.feedback import FeedbackEvent, PullClosed
from app.runs.followup_intake import accept_feedback, end_lineage
from app.runs.request import RunRequest
from app.runs.start import start_run
from webhooks.deliveries import ERROR, claim_pending, finish_delivery

log = logging.getLogger("fixer.intake")
SWEEP_SECONDS = 5.0


class RunIntake:
    def __init__(self, database_url: str, owner: str) -> None:
        self.database_url = database_url
        self.owner = owner
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="fixer-run-intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def drain(self) -> int:
        """Start every owed run; returns how many deliveries were handled."""
        handled = 0
        while True:
            batch = await asyncio.to_thread(claim_pending, self.database_url, self.owner)
            if not batch:
                return handled
            for delivery in batch:
                outcome = await self._start(delivery.id, delivery.request)
                await asyncio.to_thread(finish_delivery, self.database_url, delivery.id, outcome)
                handled += 1

    async def _start(self, delivery_id: str, request: dict[str, object] | None) -> str:
        try:
            if request is not None and "followup" in request:
                event = FeedbackEvent.model_validate(request["followup"])
                return await asyncio.to_thread(accept_feedback, self.database_url, event)
            if request is not None and "pr_closed" in request:
                closed = PullClosed.model_validate(request["pr_closed"])
                return await end_lineage(self.database_url, closed)
            started = await start_run(self.database_url, RunRequest.model_validate(request))
        except Exception as exc:  # recorded on the delivery; only a redelivery retries it
            log.exception("delivery %s: could not start what it asks for", delivery_id)
            return f"{ERROR}{type(exc).__name__}: {exc}"
        return started.delivery_outcome

    async def _loop(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("run intake failed; retrying at the next sweep")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=SWEEP_SECONDS)
            self._wake.clear()
