"""GitHub's REST rate limits, as the emulation enforces them.

Primary limit (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api):
a quota per installation (every token of one installation shares it), another for the App's
JWT, 60 an hour for anonymous calls; every answer carries ``x-ratelimit-limit``,
``-remaining``, ``-used``, ``-reset`` (epoch seconds) and ``-resource``; past the quota the
answer is 403 (or 429) with ``x-ratelimit-remaining: 0``.

Secondary limits (same page, "About secondary rate limits"): no more than 100 concurrent
requests, no more than 80 content-generating requests a minute. Exceeding one answers 403
(or 429) with "You have exceeded a secondary rate limit", with a ``retry-after`` header or,
as GitHub may, without one. Defaults are GitHub's; tests make them small.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from devtools.github_state import GitHubState

DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {id}."
)
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class _Window:
    used: int = 0
    reset: int = 0
    """Epoch second at which the quota is full again."""


@dataclass
class RateLimits:
    """Quotas and what happens past them; counters for tests to read."""

    installation_limit: int = 5000
    """Requests per window for each installation (GitHub's minimum is 5,000 an hour)."""
    app_limit: int = 5000
    anonymous_limit: int = 60
    window_s: float = 3600.0
    status: int = 403
    """403 or 429: GitHub documents both for either limit."""
    max_concurrent: int = 100
    content_per_window: int = 80
    content_window_s: float = 60.0
    secondary_retry_after: int | None = 60
    """Seconds in ``retry-after``; None answers without the header, as GitHub may."""
    write_latency_s: float = 0.0
    """Time a mutating call takes on GitHub's side (makes concurrency observable)."""
    refusals: list[tuple[str, str, str]] = field(default_factory=list)
    """(``primary`` | ``secondary``, method, path) of every rate-limited answer."""
    max_concurrent_writes: dict[str, int] = field(default_factory=dict)
    """Most mutating calls seen in flight at once, per identity."""
    _windows: dict[str, _Window] = field(default_factory=dict)
    _content: dict[str, list[float]] = field(default_factory=dict)
    _in_flight: dict[str, int] = field(default_factory=dict)
    _writes_in_flight: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def identity(self, state: GitHubState, credential: str) -> tuple[str, int]:
        """(key, limit) of whoever makes the call: installation, App, or anonymous."""
        token = state.tokens.get(credential)
        if token is not None:
            return f"installation:{token.installation_id}", self.installation_limit
        if credential:
            return "app", self.app_limit
        return "anonymous", self.anonymous_limit

    @contextmanager
    def in_flight(self, key: str, method: str) -> Iterator[bool]:
        """Counts the call while it runs; yields False when it is one too many at once."""
        write = method in WRITES
        with self._lock:
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            too_many = self._in_flight[key] > self.max_concurrent
            if write:
                now = self._writes_in_flight.get(key, 0) + 1
                self._writes_in_flight[key] = now
                self.max_concurrent_writes[key] = max(self.max_concurrent_writes.get(key, 0), now)
        try:
            if write and self.write_latency_s:
                time.sleep(self.write_latency_s)
            yield not too_many
        finally:
            with self._lock:
                self._in_flight[key] -= 1
                if write:
                    self._writes_in_flight[key] -= 1

    def charge(
        self, key: str, limit: int, method: str, path: str, request_id: str
    ) -> tuple[dict[str, str], tuple[int, dict[str, Any], dict[str, str]] | None]:
        """Count one call: the rate-limit headers, and the refusal when it is over a limit."""
        now = time.time()
        with self._lock:
            window = self._windows.setdefault(key, _Window())
            if now >= window.reset:
                window.used, window.reset = 0, math.ceil(now + self.window_s)
            over = window.used >= limit
            if not over:
                window.used += 1
            headers = {
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(limit - window.used, 0)),
                "x-ratelimit-used": str(window.used),
                "x-ratelimit-reset": str(window.reset),
                "x-ratelimit-resource": "core",
            }
            if over:
                self.refusals.append(("primary", method, path))
                who = key.replace(":", " ID ")
                body = {"message": f"API rate limit exceeded for {who}.", "documentation_url": DOCS}
                return headers, (self.status, body, headers)
            if method in WRITES and self._content_exceeded(key, now):
                return headers, self._secondary(method, path, request_id, headers)
        return headers, None

    def _content_exceeded(self, key: str, now: float) -> bool:
        recent = [t for t in self._content.get(key, []) if now - t < self.content_window_s]
        self._content[key] = recent
        if len(recent) >= self.content_per_window:
            return True
        recent.append(now)
        return False

    def _secondary(
        self, method: str, path: str, request_id: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        self.refusals.append(("secondary", method, path))
        extra = dict(headers)
        if self.secondary_retry_after is not None:
            extra["retry-after"] = str(self.secondary_retry_after)
        body = {"message": SECONDARY_MESSAGE.format(id=request_id), "documentation_url": DOCS}
        return self.status, body, extra

    def concurrency_refusal(
        self, method: str, path: str, request_id: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            return self._secondary(method, path, request_id, {})
