"""Prometheus counters fed by the timeline: incremented only when an event row is new, so a
replayed step or agent event is never counted twice."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LLM_TOKENS = Counter(
    "fixer_llm_tokens",
    "Tokens of model calls, by kind (input, cache_read, cache_write, output) and model.",
    ["kind", "model"],
)
LLM_COST = Counter("fixer_llm_cost_usd", "USD spent on model calls.", ["model"])
LLM_CALLS = Counter("fixer_llm_calls", "Model calls made.", ["model", "agent"])
TOOL_SECONDS = Histogram(
    "fixer_tool_duration_seconds",
    "Duration of the agents' tool calls.",
    ["tool"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
SIDE_EFFECTS = Counter("fixer_side_effects", "GitHub and Slack side effects done.", ["kind"])
APPROVAL_WAIT = Histogram(
    "fixer_approval_wait_seconds",
    "Time from a round awaiting approval to a person's decision.",
    buckets=(10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600),
)
