"""What a model call costs: token usage × the per-model prices in ``agents/models.json``.

Every model carries its own five rates (input, output, 5-minute and 1-hour cache writes,
cache reads), as Anthropic's pricing page lists them, so a model whose cache rates are not
the usual 1.25×/2×/0.1× is still priced right. Server-side web search is billed per search.
On Amazon Bedrock and Google Vertex AI, the regional (not global) endpoints of newer models
cost 10% more (``regional=True``).

An unknown model is priced at the highest rates in the table and logged once: a budget
then stops a run early rather than letting it overspend, a new model name never crashes a
run, and it is never charged an older model's price. Add it to ``agents/models.json``.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

from agents.model_catalog import ModelPrice, catalog

log = logging.getLogger(__name__)

__all__ = ["ModelPrice", "Usage", "cost_usd", "price_for", "worst_case_cost_usd"]

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


def price_for(model: str, *, regional: bool = False) -> ModelPrice:
    """The rates of ``model`` (any provider's id form), or the highest rates in the table."""
    table = catalog()
    facts = table.find(model)
    if facts is None:
        highest = table.highest_price
        if model not in _warned:
            _warned.add(model)
            log.warning(
                "no price known for model %r: pricing it at $%s/$%s per MTok (the highest in "
                "the table) so budgets err on the safe side; add it to agents/models.json",
                model,
                highest.input,
                highest.output,
            )
        return highest
    if regional and facts.regional_premium:
        return facts.price.scaled(table.regional_premium)
    return facts.price


def cost_usd(model: str, usage: Usage | dict[str, Any], *, regional: bool = False) -> float:
    """USD cost of ``usage`` on ``model``, cache writes and reads priced at their rates."""
    if isinstance(usage, dict):
        usage = Usage.from_api(usage)
    price = price_for(model, regional=regional)
    write_1h = usage.cache_creation_1h_input_tokens
    write_5m = usage.cache_creation_input_tokens - write_1h
    micro = (
        usage.input_tokens * price.input
        + write_5m * price.cache_write_5m
        + write_1h * price.cache_write_1h
        + usage.cache_read_input_tokens * price.cache_read
        + usage.output_tokens * price.output
    )
    searches = usage.web_search_requests * catalog().web_search_usd_per_request
    return micro / 1_000_000 + searches


def worst_case_cost_usd(
    model: str, input_tokens: int, max_output_tokens: int, *, regional: bool = False
) -> float:
    """The most a call could cost: every input token written to the cache, full output."""
    price = price_for(model, regional=regional)
    write = max(price.cache_write_5m, price.input)
    return (input_tokens * write + max_output_tokens * price.output) / 1_000_000
