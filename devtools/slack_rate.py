"""Slack's Web API rate limits, for the Slack emulation.

Limits apply per method per app per workspace, in tiers of requests per minute; over a limit
Slack answers HTTP 429 with ``Retry-After`` (whole seconds) and ``{"ok": false, "error":
"ratelimited"}`` (https://docs.slack.dev/apis/web-api/rate-limits). ``chat.postMessage`` is
special: about one message per second per channel; Slack tolerates short bursts "with no
guarantee", so the emulation allows none. Each method's tier is on its reference page
(https://docs.slack.dev/reference/methods/<method>).

A token bucket per key: the tier's count per minute is the bucket (bursts are welcome up to
the minute's allowance), refilled evenly over the minute.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100
"""Requests per minute (https://docs.slack.dev/apis/web-api/rate-limits#tiers)."""

METHOD_TIERS: dict[str, int] = {
    "auth.test": TIER_4,  # special tier, generous: https://docs.slack.dev/reference/methods/auth.test
    "chat.update": TIER_3,
    "chat.postEphemeral": TIER_4,
    "chat.getPermalink": TIER_4,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.members": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}
POST_PER_SECOND = 1.0
"""chat.postMessage, per channel (https://docs.slack.dev/reference/methods/chat.postMessage
#rate_limiting)."""


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    stamp: float


@dataclass
class RateLimits:
    """Which calls Slack would refuse right now, and for how long."""

    enabled: bool = True
    limited: list[str] = field(default_factory=list)
    """Methods answered 429 so far, in order."""
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _limit(self, method: str, args: dict[str, Any]) -> tuple[str, float, float] | None:
        if method == "chat.postMessage":
            return str(args.get("channel", "")), 1.0, POST_PER_SECOND
        per_minute = METHOD_TIERS.get(method)
        if per_minute is None:
            return None
        return "", float(per_minute), per_minute / 60.0

    def retry_after(self, method: str, args: dict[str, Any]) -> int | None:
        """Seconds to wait if this call is over its limit (and then it is not counted)."""
        limit = self._limit(method, args) if self.enabled else None
        if limit is None:
            return None
        key, capacity, per_second = limit
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(
                (method, key), _Bucket(capacity, per_second, capacity, now)
            )
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * per_second)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            self.limited.append(method)
            return max(1, math.ceil((1.0 - bucket.tokens) / per_second))
