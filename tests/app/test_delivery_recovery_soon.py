"""A webhook refused because the database was down is asked for again within seconds.

GitHub never resends a delivery it got an error for; the web process answers 503 and has
its delivery recovery sweep again soon (and keep trying while the database is still away)
instead of at the next 5-minute sweep.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from githubkit.webhooks import sign

from app import delivery_recovery
from app.config import load_settings
from app.delivery_recovery import DeliveryRecovery
from app.web import create_app

SECRET = "secret"


def test_a_webhook_refused_for_want_of_a_database_gets_503_and_an_early_sweep(
    app_key: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(DeliveryRecovery, "soon", lambda self: asked.append("soon"))
    settings = load_settings(
        database_url="postgresql://fixer:fixer@127.0.0.1:9/nothing",  # nothing listens there
        github_app_id=4242,
        github_app_private_key=app_key[0],
        github_webhook_secret=SECRET,
    )
    body = json.dumps(
        {
            "action": "opened",
            "issue": {"number": 1, "title": "Bug", "body": None, "user": {"login": "octo"}},
            "repository": {"full_name": "octo/app", "id": 1},
            "installation": {"id": 7},
            "sender": {"login": "octo"},
        }
    ).encode()
    client = TestClient(create_app(settings, execute_runs=False))  # no lifespan: no DB at start
    answer = client.post(
        "/github/webhook",
        content=body,
        headers={
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": "d-1",
            "X-Hub-Signature-256": sign(SECRET, body, method="sha256"),
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 503, answer.text
    assert "database unavailable" in answer.json()["message"]
    assert asked == ["soon"]


class CountingRecovery(DeliveryRecovery):
    def __init__(self, failing: set[int]) -> None:
        super().__init__(github=None, database_url="unused", interval=3600.0)  # type: ignore[arg-type]
        self.sweeps: list[float] = []
        self.failing = failing
        """Which sweeps (1 = the start-up one) fail."""

    async def sweep(self) -> list[str]:
        self.sweeps.append(time.monotonic())
        if len(self.sweeps) in self.failing:
            raise ConnectionError("database still restarting")
        return []


async def test_an_owed_sweep_comes_seconds_later_and_is_retried_until_it_succeeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery_recovery, "SOON_SECONDS", 0.1)
    monkeypatch.setattr(asyncio, "sleep", _fast_first_sleep(asyncio.sleep))
    recovery = CountingRecovery(failing={2, 3})  # the two sweeps after the refusal fail
    recovery.start()
    try:
        await _until(lambda: len(recovery.sweeps) == 1)
        await asyncio.sleep(0.3)
        assert len(recovery.sweeps) == 1  # nothing owed: the next sweep is an hour away
        recovery.soon()
        await _until(lambda: len(recovery.sweeps) == 4)  # 2 failing, then 1 that succeeds
        await asyncio.sleep(0.5)
        assert len(recovery.sweeps) == 4  # done: back to the long interval
    finally:
        await recovery.stop()


async def test_a_sweep_github_fails_is_tried_again_in_seconds_then_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A 502 from GitHub's delivery log must not leave missed deliveries for a whole interval.
    monkeypatch.setattr(delivery_recovery, "SOON_SECONDS", 0.1)
    monkeypatch.setattr(asyncio, "sleep", _fast_first_sleep(asyncio.sleep))
    recovery = CountingRecovery(failing={1, 2, 3})
    recovery.start()
    try:
        await _until(lambda: len(recovery.sweeps) == 4)
        gaps = [b - a for a, b in zip(recovery.sweeps, recovery.sweeps[1:], strict=False)]
        assert gaps[0] < gaps[1] < gaps[2] < 1.0, gaps  # 0.1 s, 0.2 s, 0.4 s: backing off
        await asyncio.sleep(0.8)
        assert len(recovery.sweeps) == 4  # it succeeded: back to the long interval
    finally:
        await recovery.stop()


def _fast_first_sleep(real: Any) -> Any:
    async def sleep(seconds: float, *args: Any) -> Any:
        return await real(min(seconds, 0.1), *args)  # the loop's 1-second start-up pause

    return sleep


async def _until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
