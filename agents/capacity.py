"""How long to wait when the model API is out of capacity, and for how long to keep trying.

The SDK retries 429/529/5xx a few times within one call; an overload or a rate-limit window
can last longer than that. Fixer then waits and asks again, durably, for up to
``CapacityPolicy.window_s``. The wait honours what the API says, in this order:

- ``retry-after-ms`` / ``retry-after`` (https://docs.claude.com/en/api/rate-limits: "a 429
  error ... with a retry-after header indicating how long to wait");
- the token-bucket reset of an exhausted limit, ``anthropic-ratelimit-{requests,tokens,
  input-tokens,output-tokens}-reset`` (RFC 3339) where ``-remaining`` is 0
  (https://docs.claude.com/en/api/rate-limits#response-headers);
- otherwise exponential backoff with jitter from ``initial_s`` up to ``max_s``.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

BUCKETS = ("requests", "tokens", "input-tokens", "output-tokens")


class CapacityPolicy(BaseModel):
    """Durable waiting for model capacity."""

    window_s: float = 1800.0
    """Keep trying this long after the first failure; then the run fails as unavailable."""
    initial_s: float = 2.0
    """First backoff when the API names no wait."""
    max_s: float = 120.0
    """Longest single wait, whatever a header says (a bad clock must not park a run)."""

    def backoff(self, attempt: int, hinted_s: float | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if hinted_s is not None and hinted_s > 0:
            return min(hinted_s, self.max_s)
        base = min(self.initial_s * 2.0 ** max(attempt - 1, 0), self.max_s)
        return base * (1 - 0.25 * random.random())


def hinted_wait_s(headers: Mapping[str, str], now: datetime) -> float | None:
    """The wait the response asks for, in seconds, or None when it names none."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        return float(lower["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    retry_after = lower.get("retry-after")
    if retry_after is not None:
        try:
            return float(retry_after)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(retry_after)
            if parsed is not None:
                return max((parsed - now).total_seconds(), 0.0)
    resets = []
    for bucket in BUCKETS:
        remaining = lower.get(f"anthropic-ratelimit-{bucket}-remaining")
        reset = lower.get(f"anthropic-ratelimit-{bucket}-reset")
        if remaining == "0" and reset:
            try:
                at = datetime.fromisoformat(reset.replace("Z", "+00:00"))
            except ValueError:
                continue
            resets.append((at - now).total_seconds())
    return max(max(resets), 0.0) if resets else None
