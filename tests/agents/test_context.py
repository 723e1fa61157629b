"""Tool output caps and batch elision of old results."""

from __future__ import annotations

import json
from typing import Any

from agents.context import ContextConfig, cap_output, elide_old_results, estimate_tokens


def conversation(results: int, size: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "task"}]}
    ]
    for n in range(results):
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": f"t{n}", "name": "read", "input": {"path": f"f{n}"}}
                ],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": "x" * size}],
            }
        )
    return messages


def results_of(messages: list[dict[str, Any]]) -> list[str]:
    return [b["content"] for m in messages[2::2] for b in m["content"]]


def test_long_output_keeps_head_and_tail_with_a_note() -> None:
    text = "".join(f"line {n}\n" for n in range(10_000))
    capped = cap_output(text, 3000)
    assert capped.startswith("line 0\n") and capped.endswith("line 9999\n")
    assert "chars truncated" in capped and len(capped) < 3200
    assert cap_output("short", 3000) == "short"


def test_nothing_is_elided_below_the_limit() -> None:
    messages = conversation(5, 1000)
    before = json.dumps(messages)
    assert elide_old_results(messages, 0, ContextConfig(limit_tokens=10_000)) == 0
    assert json.dumps(messages) == before


def test_oldest_results_are_elided_in_one_batch_down_to_the_target() -> None:
    messages = conversation(20, 4000)  # ~20k tokens
    config = ContextConfig(limit_tokens=15_000, target_ratio=0.5, keep_recent_results=3)
    elided = elide_old_results(messages, 0, config)
    contents = results_of(messages)
    assert contents[:elided] == ["[output elided to save context: 4000 chars]"] * elided
    assert all(not c.startswith("[output elided") for c in contents[elided:])
    assert estimate_tokens(messages) <= 15_000 * 0.5
    # The next turns stay under the limit: no second elision, so the new prefix stays cached.
    messages += conversation(3, 4000)[1:]
    assert elide_old_results(messages, 0, config) == 0


def test_recent_results_are_never_elided() -> None:
    messages = conversation(4, 10_000)
    elide_old_results(messages, 0, ContextConfig(limit_tokens=100, keep_recent_results=4))
    assert all(not c.startswith("[output elided") for c in results_of(messages))


def test_prefix_before_the_first_elided_result_is_untouched() -> None:
    messages = conversation(6, 100) + conversation(10, 5000)[1:]
    before = [json.dumps(m) for m in messages]
    elide_old_results(messages, 0, ContextConfig(limit_tokens=8000, keep_recent_results=2))
    after = [json.dumps(m) for m in messages]
    first_changed = next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    assert first_changed == 14  # small early results are left alone; the cut starts later
