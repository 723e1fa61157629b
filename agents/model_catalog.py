"""What Fixer knows of each Claude model, read from ``agents/models.json`` (prices, context
window, output cap, provider ids), and how a model id on any provider maps to its entry.

An id names an entry only exactly: ``claude-sonnet-4-5``, its dated snapshot
``claude-sonnet-4-5-20250929``, a listed alias (``claude-opus-4-0``), or the provider forms
of those (Bedrock ``[us.|eu.|global.…]anthropic.<id>[-v1[:0]]``, Vertex ``<id>@<date>``). A
newer model is never taken for an older one because its name starts the same way:
``claude-opus-4-7`` is not ``claude-opus-4``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from pydantic import BaseModel

_BEDROCK = re.compile(
    r"^(?:(?P<geo>[a-z]{2,6}(?:-[a-z]+)?)\.)?anthropic\.(?P<id>.+?)(?:-v\d+(?::\d+)?)?$"
)
_DATED = re.compile(r"^(?P<base>.+)-\d{8}$")


class ModelPrice(NamedTuple):
    """USD per million tokens of one model."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float

    def scaled(self, factor: float) -> ModelPrice:
        return ModelPrice(*(round(rate * factor, 6) for rate in self))


class ModelFacts(BaseModel):
    """One entry of the catalog."""

    id: str
    price: ModelPrice
    context: int
    """Context window in tokens: input plus output of one request."""
    max_output: int
    regional_premium: bool = False
    """Priced higher on a provider's regional (not global) endpoint."""
    aliases: list[str] = []
    bedrock: str | None = None
    vertex: str | None = None


class Catalog(BaseModel):
    checked: str
    sources: dict[str, str]
    web_search_usd_per_request: float
    regional_premium: float
    models: dict[str, ModelFacts]

    def find(self, model: str) -> ModelFacts | None:
        """The entry ``model`` names (any provider's form), or None."""
        base = canonical_id(model)
        for facts in self.models.values():
            if base == facts.id or base in facts.aliases:
                return facts
        dated = _DATED.match(base)
        if dated:
            return self.models.get(dated.group("base"))
        return None

    @property
    def highest_price(self) -> ModelPrice:
        return max((m.price for m in self.models.values()), key=lambda p: (p.output, p.input))


def canonical_id(model: str) -> str:
    """``model`` as a Claude API id: provider prefixes and version suffixes dropped."""
    name = model.strip().lower().removesuffix("[1m]")
    if name.startswith("arn:"):
        name = name.rsplit("/", 1)[-1]
    bedrock = _BEDROCK.match(name)
    if bedrock:
        name = bedrock.group("id")
    return name.replace("@", "-")


def is_geo_prefixed(model: str) -> bool:
    """A Bedrock id routed through a geography or a region (``us.``, ``eu.``…; not
    ``global.``): the regional endpoint type."""
    found = _BEDROCK.match(model.strip().lower())
    return bool(found and found.group("geo") and found.group("geo") != "global")


@cache
def catalog() -> Catalog:
    raw: dict[str, Any] = json.loads(
        resources.files("agents").joinpath("models.json").read_text(encoding="utf-8")
    )
    models = {
        key: ModelFacts(id=key, **{**entry, "price": ModelPrice(*entry["price"])})
        for key, entry in raw["models"].items()
    }
    return Catalog(
        checked=raw["checked"],
        sources=raw["sources"],
        web_search_usd_per_request=raw["web_search_usd_per_request"],
        regional_premium=raw["regional_premium"],
        models=models,
    )
