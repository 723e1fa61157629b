"""Tool output caps and batch elision of old results."""

from __future__ import annotations

import json
from typing import Any

from agents.context import (
    ContextConfig,
    cap_output,
    elide_old_results,
    estimate_tokens,
    limit_for,
)


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
    assert elide_old_results(messages, estimate_tokens(messages), 10_000, ContextConfig()) == (0, 0)
    assert json.dumps(messages) == before


def test_oldest_results_are_elided_in_one_batch_down_to_the_target() -> None:
    messages = conversation(20, 4000)  # ~20k tokens
    config = ContextConfig(target_ratio=0.5, keep_recent_results=3)
    elided, _ = elide_old_results(messages, estimate_tokens(messages), 15_000, config)
    contents = results_of(messages)
    assert contents[:elided] == ["[output elided to save context: 4000 chars]"] * elided
    assert all(not c.startswith("[output elided") for c in contents[elided:])
    assert estimate_tokens(messages) <= 15_000 * 0.5
    # The next turns stay under the limit: no second elision, so the new prefix stays cached.
    messages += conversation(3, 4000)[1:]
    assert elide_old_results(messages, estimate_tokens(messages), 15_000, config) == (0, 0)


def test_recent_results_are_never_elided() -> None:
    messages = conversation(4, 10_000)
    elide_old_results(
        messages, estimate_tokens(messages), 100, ContextConfig(keep_recent_results=4)
    )
    assert all(not c.startswith("[output elided") for c in results_of(messages))


def test_prefix_before_the_first_elided_result_is_untouched() -> None:
    messages = conversation(6, 100) + conversation(10, 5000)[1:]
    before = [json.dumps(m) for m in messages]
    elide_old_results(
        messages, estimate_tokens(messages), 8000, ContextConfig(keep_recent_results=2)
    )
    after = [json.dumps(m) for m in messages]
    first_changed = next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    assert first_changed == 14  # small early results are left alone; the cut starts later


def test_the_limit_is_each_models_own_window_less_the_output_cap() -> None:
    config = ContextConfig()
    assert limit_for("claude-haiku-4-5-20251001", 8192, config) == 190_000 - 8192
    assert limit_for("claude-opus-4-8", 8192, config) == 950_000 - 8192
    assert limit_for("claude-unknown-7", 8192, config) == 190_000 - 8192


async def test_a_long_run_is_trimmed_by_measured_tokens_before_the_api_rejects_it() -> None:
    from agents.loop import LoopConfig
    from devtools.scripted_model import reply, tool_use
    from tests.agents.test_loop import make_loop
    from tests.agents.test_loop_fakes import FakeSandbox, scripted

    # Code tokenizes denser than 4 characters a token: here 3, as the API's usage reports.
    files = {f"/workspace/m{n}.py": f"value_{n} = [{n}, {n + 1}]\n" * 150 for n in range(16)}
    script = [reply(tool_use("read", {"path": path})) for path in files]
    script.append(reply(tool_use("submit_answer", {"summary": "read them all"})))
    model, fake = scripted(script, chars_per_token=3.0, context_window=12_000)
    loop = make_loop(
        model,
        sandbox=FakeSandbox(files),
        system="You are a test agent.",
        config=LoopConfig(max_tokens=1000, context=ContextConfig(context_window=12_000)),
    )
    result = await loop.run("Read every file.")
    assert result.output.summary == "read them all"
    biggest = max(
        r.usage["input_tokens"]
        + r.usage["cache_read_input_tokens"]
        + r.usage["cache_creation_input_tokens"]
        for r in fake.requests
        if r.usage
    )
    assert biggest <= 12_000
    assert any("elided" in str(e) for e in result.transcript)
