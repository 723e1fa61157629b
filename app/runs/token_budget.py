"""How long the next model call must wait so the deployment stays under its limits per minute.

``FIXER_LLM_RPM`` caps the requests, ``FIXER_LLM_ITPM`` and ``FIXER_LLM_OTPM`` the input and
output tokens of every worker's model calls in any 60-second window, as the API's own limits
do (https://docs.claude.com/en/api/rate-limits). The API counts them this way, and so does Fixer:

- requests: every call admitted in the window counts, answered or still in flight;

- input: ``input_tokens`` and ``cache_creation_input_tokens`` count toward ITPM;
  ``cache_read_input_tokens`` do not, except on the older models the docs mark with a dagger
  (Claude Haiku 3.5 and 3), for which reads count too;
- output: the API reserves ``max_tokens`` when a request starts and settles on the real
  count at its end. Fixer reserves a running average of recent replies instead (a reply
  seldom comes near ``max_tokens``), then settles on the real count as the API does.

Everything here is pure: the ledger (``app.runs.token_ledger``) feeds it rows and the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agents.context import estimate_tokens
from agents.pricing import Usage

WINDOW_S = 60.0
"""The API's limits are per minute; so is the window every worker checks."""
RECHECK_S = 5.0
"""Longest wait while calls are in flight: their estimates change when they are answered."""
CACHE_READS_COUNT = ("claude-3-5-haiku", "claude-3-haiku")
"""Models whose cache reads count toward ITPM (the docs' dagger); for every other, reads are
free of the limit, though still billed."""


@dataclass(frozen=True)
class Limits:
    """Requests and tokens per minute across all workers; None = no limit on that side."""

    itpm: int | None = None
    otpm: int | None = None
    rpm: int | None = None

    @property
    def tokens(self) -> bool:
        """Whether a token limit is set (then each answered call records its real counts)."""
        return self.itpm is not None or self.otpm is not None


@dataclass(frozen=True)
class Spent:
    """One call's tokens in the window: answered (``final``) or in flight (estimates)."""

    at: float
    input: int
    output: int
    final: bool = True


def counted_input(usage: Usage, model: str) -> int:
    """The input tokens of a reply that the API counts toward ITPM."""
    counted = usage.input_tokens + usage.cache_creation_input_tokens
    if any(old in model for old in CACHE_READS_COUNT):
        counted += usage.cache_read_input_tokens
    return counted


@dataclass(frozen=True)
class Minute:
    """The last minute's sums over every worker's calls (one aggregate query)."""

    input: int = 0
    output: int = 0
    answered: int = 0
    """Calls answered (the rest are in flight)."""
    answered_output: int = 0
    calls: int = 0
    """Calls admitted in the window, answered or not (what ``FIXER_LLM_RPM`` counts)."""

    @property
    def mean_output(self) -> int | None:
        return self.answered_output // self.answered + 1 if self.answered else None

    def fits(self, need: Spent, limits: Limits) -> bool:
        """Whether ``need`` goes beside this minute's calls without passing a limit."""
        return (
            (limits.itpm is None or self.input + need.input <= limits.itpm)
            and (limits.otpm is None or self.output + need.output <= limits.otpm)
            and (limits.rpm is None or self.calls + 1 <= limits.rpm)
        )


def estimate(request: dict[str, Any], previous: int | None, mean_output: int | None) -> Spent:
    """The next call's tokens, before it is made.

    Input: the previous call of the same conversation (``previous``: its counted input
    tokens, once answered) is the best guess (an agent's turns
    add similar amounts, and the rest of the prompt is read from the cache); the first call
    writes everything, so it counts the whole request (characters / 4). Output: the mean of
    the replies of the last minute, else the request's ``max_tokens``.
    """
    if previous is not None:
        tokens_in = previous
    else:
        sent = {key: request.get(key) for key in ("system", "tools", "messages")}
        tokens_in = estimate_tokens(sent)
    tokens_out = int(request.get("max_tokens") or 0) if mean_output is None else mean_output
    return Spent(at=0.0, input=tokens_in, output=tokens_out, final=False)


def wait_s(window: Sequence[Spent], now: float, need: Spent, limits: Limits) -> float:
    """Seconds until ``need`` fits beside the calls of the last minute (0 = go now).

    Waits for the oldest calls to leave the window, as few as it takes. A call bigger than a
    limit on its own goes once the window is empty: the API then decides, and no call is
    parked for ever.
    """
    live = sorted((spent for spent in window if spent.at > now - WINDOW_S), key=lambda s: s.at)
    sides: list[tuple[int | None, int, Callable[[Spent], int]]] = [
        (limits.itpm, need.input, lambda spent: spent.input),
        (limits.otpm, need.output, lambda spent: spent.output),
    ]
    tokens = max(_until_fits(live, now, *side) for side in sides)
    if tokens > 0 and any(not spent.final for spent in live):
        tokens = min(tokens, RECHECK_S)  # estimates in flight change when they are answered
    # A request counts once admitted, whatever its tokens: no recheck shortens this wait.
    requests = _until_fits(live, now, limits.rpm, 1, lambda spent: 1)
    wait = min(max(tokens, requests), WINDOW_S)  # a clock ahead of ours parks no call longer
    return max(wait, 0.0)


def _until_fits(
    live: Sequence[Spent],
    now: float,
    limit: int | None,
    wanted: int,
    amount: Callable[[Spent], int],
) -> float:
    """Seconds until enough of the oldest ``live`` calls leave the window for ``wanted``."""
    if limit is None:
        return 0.0
    used, wait = sum(amount(spent) for spent in live), 0.0
    for spent in live:
        if used + wanted <= limit:
            break
        used -= amount(spent)
        wait = spent.at + WINDOW_S - now
    return wait


_TURN = re.compile(r"^(?P<conversation>.*\.llm\.)(?P<turn>\d+)$")


def previous_call_id(call_id: str) -> str | None:
    """The id of the same conversation's previous model call (``…/coder.llm.7`` for
    ``…/coder.llm.8``), or None for a first call or an id of another shape."""
    match = _TURN.match(call_id)
    if match is None or int(match["turn"]) <= 1:
        return None
    return f"{match['conversation']}{int(match['turn']) - 1}"
