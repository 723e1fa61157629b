"""Staying inside GitHub's rate limits: when to retry a refused call, and one write at a time.

GitHub's rules (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
and https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api):
past the primary limit (``x-ratelimit-remaining: 0``) wait until ``x-ratelimit-reset``; past
a secondary limit wait ``retry-after`` seconds when given, else until the reset when the
remaining count is 0, else at least a minute, and longer each time it happens again; make
requests one after the other rather than concurrently.

githubkit 0.16 already raises ``PrimaryRateLimitExceeded`` / ``SecondaryRateLimitExceeded``
with the wait taken from those headers and sleeps before retrying, but retries once only,
and it misses a secondary limit answered without ``retry-after`` while quota remains. The
decision below keeps its mechanism and fixes those two. The wait happens inside the call,
so a durable step waiting for an hour-long reset is one long attempt, not twelve failed ones
(and a step restarted after a crash reads the same absolute reset and waits only the rest).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import httpx
from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed
from githubkit.throttling import BaseThrottler
from githubkit.typing import RetryOption

RATE_LIMIT_RETRIES = 8
"""Waits for one call before it fails to its caller (a durable step retries it again)."""
SECONDARY_MIN_WAIT = timedelta(seconds=60)
RESET_MARGIN = timedelta(seconds=1)
"""``x-ratelimit-reset`` is a whole second: retrying at it may land just before it."""
SECONDARY_MESSAGE = "secondary rate limit"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_secondary_without_headers(exc: GitHubException) -> bool:
    """A 403/429 saying "You have exceeded a secondary rate limit" that githubkit did not
    recognise (no ``retry-after``, quota left)."""
    if not isinstance(exc, RequestFailed) or exc.response.status_code not in (403, 429):
        return False
    try:
        body = exc.response.json()
    except Exception:
        return False
    return isinstance(body, dict) and SECONDARY_MESSAGE in str(body.get("message", "")).lower()


def rate_limit_retry(exc: GitHubException, retry_count: int) -> RetryOption | None:
    """How long to wait before retrying a rate-limited call; None when it was not one.

    The call was refused before GitHub did anything, so retrying a POST is safe here.
    """
    if retry_count >= RATE_LIMIT_RETRIES:
        return None
    if isinstance(exc, RequestError) and isinstance(exc.__cause__, GitHubException):
        # A token mint refused inside the auth flow arrives wrapped in a RequestError.
        exc = exc.__cause__
    backoff = 2 ** min(retry_count, 4)  # again and again: wait exponentially longer
    if isinstance(exc, RateLimitExceeded):
        headers = exc.response.headers
        if "retry-after" in headers:
            return RetryOption(True, exc.retry_after * backoff)
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            return RetryOption(True, exc.retry_after + RESET_MARGIN)
        return RetryOption(True, max(exc.retry_after, SECONDARY_MIN_WAIT) * backoff)
    if _is_secondary_without_headers(exc):
        return RetryOption(True, SECONDARY_MIN_WAIT * backoff)
    return None


class SerialWrites(BaseThrottler):
    """Mutating calls of one installation one at a time; reads pass freely.

    A thread lock taken by polling on the async side: it serializes across event loops and
    worker threads alike, and a cancelled waiter never leaves it held.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        if request.method in READS:
            yield
            return
        with self._lock:
            yield

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        if request.method in READS:
            yield
            return
        while not self._lock.acquire(blocking=False):
            await asyncio.sleep(0.01)
        try:
            yield
        finally:
            self._lock.release()


class InstallationWrites:
    """One :class:`SerialWrites` per installation, shared by all its clients."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._by_installation: dict[int | None, SerialWrites] = {}

    def of(self, installation_id: int | None) -> SerialWrites:
        with self._guard:
            return self._by_installation.setdefault(installation_id, SerialWrites())
