"""Keeping a conversation inside the model's context window without wrecking the prompt cache.

Two measures. Every tool output is capped (head and tail kept, the middle replaced by a
note). And when a request nears the context limit, the oldest bulky parts are replaced by
a stub (tool results, the long inputs of old calls such as a ``write``'s whole file, old web
search results), in one batch down to a low-water mark: the cached prefix is invalidated only from
the first newly elided block on, everything before it (tools, system, the task, results
elided earlier) stays byte-identical and cached, and the next elision is many turns away.

The request is measured in the API's own tokens: the previous call's usage (input, cache
reads and writes, and the reply's output, all of which the next request carries) plus an
estimate (characters / 4) for only what was added since. Characters alone undercount code
and JSON, and a request over the model's window is refused ("prompt is too long"). The
limit is each model's real context window (``agents/models.json``) less the reply's output
cap and a safety margin.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from agents.model_catalog import catalog
from agents.pricing import Usage

STUB = "[output elided to save context: {chars} chars]"
INPUT_STUB = "[input elided to save context: {chars} chars; read the file for what it holds now]"
SEARCH_STUB = "[web search for {query!r} elided to save context]"


class ContextConfig(BaseModel):
    """Limits on what the loop sends to the model."""

    tool_output_chars: int = 80_000
    """A tool output longer than this keeps its head and tail only. A safety net above every
    tool's own cap (read's 50 KB plus line numbers is the largest), so no result is cut twice."""
    limit_tokens: int | None = None
    """Request size (tools + system + messages) that triggers elision; None = the model's
    context window less the output cap and ``margin_ratio``."""
    context_window: int | None = None
    """The model's context window; None = from ``agents/models.json``."""
    margin_ratio: float = 0.05
    """Share of the window kept free: the estimate of the newest messages is rough."""
    target_ratio: float = 0.6
    """Elide down to this share of ``limit_tokens``, so elision happens rarely."""
    keep_recent_results: int = 6
    """The newest tool results are never elided: the model is working with them."""
    min_elide_chars: int = 400
    """Results shorter than this are left alone: eliding them saves next to nothing."""


DEFAULT_WINDOW = 200_000
"""The context window assumed for a model the catalog does not list (the smallest in use)."""


def limit_for(model: str, max_output_tokens: int, config: ContextConfig) -> int:
    """The request size, in tokens, at which ``model``'s conversation is trimmed."""
    if config.limit_tokens is not None:
        return config.limit_tokens
    facts = catalog().find(model)
    window = config.context_window or (facts.context if facts else DEFAULT_WINDOW)
    return int(window * (1 - config.margin_ratio)) - max_output_tokens


class ContextMeter:
    """The size of the next request, from the usage the API reported for the last one."""

    def __init__(self) -> None:
        self.tokens: int | None = None
        self.upto = 0

    def record(self, usage: Usage, messages: int) -> None:
        """The reply to a request with ``messages`` messages (its reply included) used
        ``usage``: every one of those tokens is in the next request."""
        self.tokens = usage.total_input_tokens + usage.output_tokens
        self.upto = messages

    def measure(self, fixed_estimate: int, messages: list[dict[str, Any]]) -> int:
        if self.tokens is None:
            return fixed_estimate + estimate_tokens(messages)
        return self.tokens + estimate_tokens(messages[self.upto :])

    def saved(self, tokens: int) -> None:
        if self.tokens is not None:
            self.tokens = max(self.tokens - tokens, 0)


def estimate_tokens(data: Any) -> int:
    """Rough token count of JSON-able ``data`` (chars / 4)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return len(text) // 4


def cap_output(text: str, limit: int) -> str:
    """``text`` unchanged, or its head and tail with a note saying how much was cut."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    cut = len(text) - head - tail
    return (
        f"{text[:head]}\n[… {cut} chars truncated; narrow the command or read a line range "
        f"to see them …]\n{text[-tail:]}"
    )


def elide_old_results(
    messages: list[dict[str, Any]], measured_tokens: int, limit_tokens: int, config: ContextConfig
) -> tuple[int, int]:
    """Stub out the oldest tool results in ``messages`` (in place) when the request, of
    ``measured_tokens``, passes ``limit_tokens``. Returns how many results were elided (0
    most turns) and about how many tokens that saved."""
    if measured_tokens <= limit_tokens:
        return 0, 0
    need = measured_tokens - int(limit_tokens * config.target_ratio)
    candidates = _result_blocks(messages)[: -config.keep_recent_results or None]
    elided = saved = 0
    for block in candidates:
        if need <= 0:
            break
        text = _text_of(block)
        if len(text) < config.min_elide_chars or text.startswith("[output elided"):
            continue
        block["content"] = STUB.format(chars=len(text))
        cut = (len(text) - len(block["content"])) // 4
        need, saved, elided = need - cut, saved + cut, elided + 1
    return elided, saved


def _result_blocks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        block
        for message in messages
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]


def _text_of(block: dict[str, Any]) -> str:
    content = block.get("content", "")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def elide_old(
    messages: list[dict[str, Any]], measured_tokens: int, limit_tokens: int, config: ContextConfig
) -> tuple[int, int]:
    """Like :func:`elide_old_results`, and old bulky inputs and web searches go too, oldest
    first: a ``write``'s whole file (it is on disk: reading it again is cheap), an ``edit``'s
    long texts, and the searches of old turns (the model kept what it cited in its own
    words). The newest ``keep_recent_results`` calls and the last assistant turn (whose
    thinking must go back unmodified) are left alone."""
    if measured_tokens <= limit_tokens:
        return 0, 0
    need = measured_tokens - int(limit_tokens * config.target_ratio)
    recent = {b.get("tool_use_id") for b in _result_blocks(messages)[-config.keep_recent_results :]}
    if config.keep_recent_results <= 0:
        recent = set()
    assistants = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    last_assistant = assistants[-1] if assistants else -1
    elided = saved = 0
    for index, message in enumerate(messages):
        if need <= 0:
            break
        if not isinstance(message["content"], list) or index == last_assistant:
            continue
        if message["role"] == "assistant":
            inputs, searches = _elide_inputs(message, recent, config), _elide_searches(message)
            count, cut = inputs[0] + searches[0], inputs[1] + searches[1]
        else:
            count, cut = _elide_results(message, recent, config)
        need, saved, elided = need - cut, saved + cut, elided + count
    return elided, saved


def _elide_results(
    message: dict[str, Any], recent: set[Any], config: ContextConfig
) -> tuple[int, int]:
    count = cut = 0
    for block in message["content"]:
        if block.get("type") != "tool_result" or block.get("tool_use_id") in recent:
            continue
        text = _text_of(block)
        if len(text) < config.min_elide_chars or text.startswith("[output elided"):
            continue
        block["content"] = STUB.format(chars=len(text))
        count, cut = count + 1, cut + (len(text) - len(block["content"])) // 4
    return count, cut


def _elide_inputs(
    message: dict[str, Any], recent: set[Any], config: ContextConfig
) -> tuple[int, int]:
    count = cut = 0
    for block in message["content"]:
        if block.get("type") != "tool_use" or block.get("id") in recent:
            continue
        args = block.get("input")
        if not isinstance(args, dict):
            continue
        for key, value in list(args.items()):
            if isinstance(value, str) and len(value) >= config.min_elide_chars:
                args[key] = INPUT_STUB.format(chars=len(value))
                count, cut = count + 1, cut + (len(value) - len(args[key])) // 4
    return count, cut


def _elide_searches(message: dict[str, Any]) -> tuple[int, int]:
    """Drop finished web searches (call and result together, so none is left unanswered)
    and the citations that point into them; a line says what was searched."""
    content: list[dict[str, Any]] = message["content"]
    done = {b.get("tool_use_id") for b in content if b.get("type") == "web_search_tool_result"}
    searches = [b for b in content if b.get("type") == "server_tool_use" and b.get("id") in done]
    if not searches:
        return 0, 0
    before = estimate_tokens(content)
    ids = {b.get("id") for b in searches}
    kept: list[dict[str, Any]] = []
    for block in content:
        kind = block.get("type")
        if kind == "server_tool_use" and block.get("id") in ids:
            query = (block.get("input") or {}).get("query", "")
            kept.append({"type": "text", "text": SEARCH_STUB.format(query=query)})
        elif kind == "web_search_tool_result" and block.get("tool_use_id") in ids:
            continue
        elif kind == "text" and "citations" in block:
            kept.append({k: v for k, v in block.items() if k != "citations"})
        else:
            kept.append(block)
    message["content"] = kept
    return len(searches), max(before - estimate_tokens(kept), 0)
