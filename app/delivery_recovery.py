"""Missed webhooks: find the deliveries Fixer never handled and ask GitHub to send them again.

GitHub does not redeliver a failed delivery on its own
(https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries), so
an issue opened while Fixer was down would be lost. The web process reads the App's delivery
log (``GET /app/hook/deliveries``, App JWT, cursor pages of 100) on start and every few
minutes, groups attempts by GUID, and asks for a redelivery
(``POST /app/hook/deliveries/{id}/attempts``, https://docs.github.com/en/rest/apps/webhooks)
of each GUID Fixer has no record of (down, unreachable, answered by a relay that never
forwarded it) or whose run could not be started. A redelivery keeps its GUID, so one that
arrives twice still starts one run. Each GUID is asked for at most ``MAX_REDELIVERIES``
times, and only within the 3 days GitHub can redeliver
(https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict

from app.github import GitHubApp
from webhooks.deliveries import ERROR, outcomes_of

log = logging.getLogger("fixer.deliveries")

REDELIVERY_WINDOW = timedelta(days=3)
WINDOW_MARGIN = timedelta(minutes=30)
"""Not asked for in its last half hour: GitHub would refuse it before the request lands."""
MAX_REDELIVERIES = 3
SWEEP_SECONDS = 300.0
SOON_SECONDS = 10.0
"""After a delivery was refused for want of a database: sweep again this soon (and again
until a sweep succeeds), not at the next 5-minute sweep."""
PER_PAGE = 100


class HookDelivery(BaseModel):
    """One attempt in GitHub's delivery log (``hook-delivery-item``)."""

    model_config = ConfigDict(extra="ignore")
    id: int
    guid: str
    delivered_at: datetime
    redelivery: bool = False
    duration: float = 0.0
    status: str = ""
    status_code: int = 0
    event: str = ""
    action: str | None = None
    installation_id: int | None = None
    repository_id: int | None = None

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass
class DeliveryView:
    """One GUID as GitHub and Fixer saw it."""

    guid: str
    attempts: list[HookDelivery]
    """Newest first."""
    outcome: str | None
    """Fixer's record (None: it never reached Fixer)."""

    @property
    def latest(self) -> HookDelivery:
        return self.attempts[0]

    @property
    def first_delivered_at(self) -> datetime:
        return min(a.delivered_at for a in self.attempts)

    @property
    def redeliveries(self) -> int:
        return sum(1 for a in self.attempts if a.redelivery)

    @property
    def label(self) -> str:
        action = self.latest.action
        return f"{self.latest.event}.{action}" if action else self.latest.event

    def missed(self) -> str | None:
        """Why Fixer still owes this delivery something, or None when it does not."""
        if self.outcome is None:
            return "never reached Fixer"
        if self.outcome.startswith(ERROR):
            return "its run could not be started"
        return None

    def redeliverable(self, now: datetime) -> bool:
        return now - self.first_delivered_at < REDELIVERY_WINDOW - WINDOW_MARGIN


async def recent_deliveries(github: GitHubApp, since: datetime) -> list[HookDelivery]:
    """Every attempt GitHub logged since ``since``, newest first, following the cursor."""
    found: list[HookDelivery] = []
    params: dict[str, Any] = {"per_page": PER_PAGE}
    while True:
        response = await github.app.arequest("GET", "/app/hook/deliveries", params=params)
        page = [HookDelivery.model_validate(item) for item in response.json()]
        found.extend(d for d in page if d.delivered_at >= since)
        cursor = _next_cursor(response.headers.get("link", ""))
        if not page or cursor is None or page[-1].delivered_at < since:
            return found
        params = {"per_page": PER_PAGE, "cursor": cursor}


def _next_cursor(link: str) -> str | None:
    """The ``cursor`` of the ``rel="next"`` URL in a ``Link`` header."""
    for part in link.split(","):
        target, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            query = parse_qs(urlsplit(target.strip().strip("<>")).query)
            return query.get("cursor", [None])[0]
    return None


def group(attempts: Iterable[HookDelivery], outcomes: dict[str, str]) -> list[DeliveryView]:
    by_guid: dict[str, list[HookDelivery]] = {}
    for attempt in attempts:
        by_guid.setdefault(attempt.guid, []).append(attempt)
    return [
        DeliveryView(guid, sorted(found, key=lambda a: a.id, reverse=True), outcomes.get(guid))
        for guid, found in by_guid.items()
    ]


async def delivery_views(github: GitHubApp, database_url: str) -> list[DeliveryView]:
    """The App's deliveries of the past 3 days, newest first, with Fixer's outcome of each."""
    since = datetime.now(UTC) - REDELIVERY_WINDOW
    attempts = await recent_deliveries(github, since)
    guids = sorted({a.guid for a in attempts})
    outcomes = await asyncio.to_thread(outcomes_of, database_url, guids)
    return group(attempts, outcomes)


async def ask_redelivery(github: GitHubApp, view: DeliveryView) -> None:
    """GitHub answers 202 and sends the delivery again, same GUID, ``redelivery: true``."""
    await github.app.arequest("POST", f"/app/hook/deliveries/{view.latest.id}/attempts")


class DeliveryRecovery:
    """The web process's sweep: on start, then every ``interval`` seconds."""

    def __init__(
        self, github: GitHubApp, database_url: str, interval: float = SWEEP_SECONDS
    ) -> None:
        self.github = github
        self.database_url = database_url
        self.interval = interval
        self._asked: dict[str, int] = {}
        """Redeliveries asked for by this process (GitHub's log may not show them yet)."""
        self._task: asyncio.Task[None] | None = None
        self._owed = asyncio.Event()
        """Set when this process refused a delivery it could not store (database down)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="fixer-delivery-recovery")

    def soon(self) -> None:
        """A webhook was answered with an error: GitHub will not send it again by itself."""
        self._owed.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> list[str]:
        """Ask for every missed delivery still in GitHub's window; returns their GUIDs."""
        now = datetime.now(UTC)
        asked: list[str] = []
        failed: Exception | None = None
        for view in await delivery_views(self.github, self.database_url):
            reason = view.missed()
            if reason is None or not view.redeliverable(now):
                continue
            tries = max(view.redeliveries, self._asked.get(view.guid, 0))
            if tries >= MAX_REDELIVERIES:
                continue
            log.warning(
                "delivery %s (%s): %s; asking GitHub to redeliver it (%d/%d)",
                view.guid,
                view.label,
                reason,
                tries + 1,
                MAX_REDELIVERIES,
            )
            try:
                await ask_redelivery(self.github, view)
            except Exception as exc:
                # One refused ask (a 502) must not hold back the others; the sweep is
                # retried soon for this one.
                failed = failed or exc
                continue
            self._asked[view.guid] = tries + 1
            asked.append(view.guid)
        if failed is not None:
            raise failed
        return asked

    async def _loop(self) -> None:
        # Lets the server start listening first: a redelivery may arrive within a second.
        await asyncio.sleep(1.0)
        failures = 0
        while True:
            owed = self._owed.is_set()
            self._owed.clear()
            wait = self.interval
            try:
                await self.sweep()
                failures = 0
            except Exception as exc:
                if owed:  # the refused delivery is still to be asked for
                    self._owed.set()
                # A 5xx or a dropped connection from GitHub is usually brief: try again soon,
                # backing off to the usual interval, rather than leave missed deliveries for
                # a whole interval.
                failures += 1
                wait = min(self.interval, SOON_SECONDS * 2 ** (failures - 1))
                log.warning(
                    "could not check GitHub's delivery log (%s: %s); trying again in %.0f s",
                    type(exc).__name__,
                    exc,
                    SOON_SECONDS if owed else wait,
                )
            if not self._owed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._owed.wait(), timeout=wait)
            if self._owed.is_set():  # the database is likely still coming back: give it time
                await asyncio.sleep(SOON_SECONDS)
