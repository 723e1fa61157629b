"""Keeping a conversation inside the model's context window without wrecking the prompt cache.

Two measures. Every tool output is capped (head and tail kept, the middle replaced by a
note). And when a request nears the context limit, the oldest tool results are replaced by
a stub, in one batch down to a low-water mark: the cached prefix is invalidated only from
the first newly elided block on, everything before it (tools, system, the task, results
elided earlier) stays byte-identical and cached, and the next elision is many turns away.
Tokens are estimated as characters / 4: cheap, deterministic, and close enough to steer by.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

STUB = "[output elided to save context: {chars} chars]"


class ContextConfig(BaseModel):
    """Limits on what the loop sends to the model."""

    tool_output_chars: int = 30_000
    """A tool output longer than this keeps its head and tail only."""
    limit_tokens: int = 160_000
    """Estimated request size (tools + system + messages) that triggers elision."""
    target_ratio: float = 0.6
    """Elide down to this share of ``limit_tokens``, so elision happens rarely."""
    keep_recent_results: int = 6
    """The newest tool results are never elided: the model is working with them."""
    min_elide_chars: int = 400
    """Results shorter than this are left alone: eliding them saves next to nothing."""


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
    messages: list[dict[str, Any]], fixed_tokens: int, config: ContextConfig
) -> int:
    """Stub out the oldest tool results in ``messages`` (in place) when the request would pass
    ``config.limit_tokens``. Returns how many results were elided (0 most turns)."""
    total = fixed_tokens + estimate_tokens(messages)
    if total <= config.limit_tokens:
        return 0
    need = total - int(config.limit_tokens * config.target_ratio)
    candidates = _result_blocks(messages)[: -config.keep_recent_results or None]
    elided = 0
    for block in candidates:
        if need <= 0:
            break
        text = _text_of(block)
        if len(text) < config.min_elide_chars or text.startswith("[output elided"):
            continue
        block["content"] = STUB.format(chars=len(text))
        need -= (len(text) - len(block["content"])) // 4
        elided += 1
    return elided


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
