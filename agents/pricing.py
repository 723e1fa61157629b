"""What a model call costs: token usage × Anthropic's published per-model prices.

Prices are USD per million tokens (MTok). Prompt-cache writes cost 1.25× the input price for
the default 5-minute TTL (2× for the 1-hour TTL) and cache reads 0.1×, which is why the loop
spends effort keeping the cached prefix stable. Server-side web search is billed per search.

Unknown models are priced at the most expensive rate in the table (``CONSERVATIVE_PRICE``) and
logged once: a budget then stops a run early rather than letting it overspend, and a new model
name never crashes a run. Add the model to ``PRICES`` to price it right.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from pydantic import BaseModel

log = logging.getLogger(__name__)

CACHE_WRITE_5M_FACTOR = 1.25
CACHE_WRITE_1H_FACTOR = 2.0
CACHE_READ_FACTOR = 0.1
WEB_SEARCH_USD_PER_REQUEST = 10.0 / 1000


class ModelPrice(NamedTuple):
    """Base prices of one model family, USD per million tokens."""

    input: float
    output: float


# Keys are name prefixes: "claude-sonnet-4-5-20250929" matches "claude-sonnet-4-5"; the
# longest matching prefix wins, so "claude-opus-4-1" is not priced as "claude-opus-4".
PRICES: dict[str, ModelPrice] = {
    "claude-opus-4-6": ModelPrice(5.0, 25.0),
    "claude-opus-4-5": ModelPrice(5.0, 25.0),
    "claude-opus-4-1": ModelPrice(15.0, 75.0),
    "claude-opus-4": ModelPrice(15.0, 75.0),
    "claude-sonnet-4-6": ModelPrice(3.0, 15.0),
    "claude-sonnet-4-5": ModelPrice(3.0, 15.0),
    "claude-sonnet-4": ModelPrice(3.0, 15.0),
    "claude-haiku-4-5": ModelPrice(1.0, 5.0),
}
CONSERVATIVE_PRICE = ModelPrice(15.0, 75.0)

_warned: set[str] = set()


class Usage(BaseModel):
    """Token counts of one call (or a sum of calls), as the Messages API reports them."""

    input_tokens: int = 0
    """Input tokens after the last cache breakpoint: billed at the base input price."""
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    """Input tokens written to the cache (all TTLs)."""
    cache_creation_1h_input_tokens: int = 0
    """The part of ``cache_creation_input_tokens`` written with the 1-hour TTL."""
    cache_read_input_tokens: int = 0
    web_search_requests: int = 0

    @classmethod
    def from_api(cls, usage: dict[str, Any]) -> Usage:
        """Read the API's ``usage`` object (cache and server-tool fields may be null/absent)."""
        creation = usage.get("cache_creation") or {}
        server = usage.get("server_tool_use") or {}
        return cls(
            input_tokens=usage.get("input_tokens") or 0,
            output_tokens=usage.get("output_tokens") or 0,
            cache_creation_input_tokens=usage.get("cache_creation_input_tokens") or 0,
            cache_creation_1h_input_tokens=creation.get("ephemeral_1h_input_tokens") or 0,
            cache_read_input_tokens=usage.get("cache_read_input_tokens") or 0,
            web_search_requests=server.get("web_search_requests") or 0,
        )

    @property
    def total_input_tokens(self) -> int:
        """Every input token the request carried, whether read, written or neither."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def __add__(self, other: Usage) -> Usage:
        fields = type(self).model_fields
        return Usage(**{name: getattr(self, name) + getattr(other, name) for name in fields})


def price_for(model: str) -> ModelPrice:
    """The price of ``model`` (longest matching prefix), or the conservative default."""
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    if matches:
        return PRICES[max(matches, key=len)]
    if model not in _warned:
        _warned.add(model)
        log.warning(
            "no price known for model %r: pricing it at $%s/$%s per MTok (the highest rate); "
            "add it to agents.pricing.PRICES",
            model,
            CONSERVATIVE_PRICE.input,
            CONSERVATIVE_PRICE.output,
        )
    return CONSERVATIVE_PRICE


def cost_usd(model: str, usage: Usage | dict[str, Any]) -> float:
    """USD cost of ``usage`` on ``model``, cache writes and reads priced at their rates."""
    if isinstance(usage, dict):
        usage = Usage.from_api(usage)
    price = price_for(model)
    write_1h = usage.cache_creation_1h_input_tokens
    write_5m = usage.cache_creation_input_tokens - write_1h
    input_mtok = (
        usage.input_tokens
        + write_5m * CACHE_WRITE_5M_FACTOR
        + write_1h * CACHE_WRITE_1H_FACTOR
        + usage.cache_read_input_tokens * CACHE_READ_FACTOR
    ) / 1_000_000
    output_mtok = usage.output_tokens / 1_000_000
    searches = usage.web_search_requests * WEB_SEARCH_USD_PER_REQUEST
    return input_mtok * price.input + output_mtok * price.output + searches


def worst_case_cost_usd(model: str, input_tokens: int, max_output_tokens: int) -> float:
    """The most a call could cost: every input token written to the cache, full output."""
    price = price_for(model)
    return (
        input_tokens * CACHE_WRITE_5M_FACTOR * price.input + max_output_tokens * price.output
    ) / 1_000_000
