"""Extended thinking: the budget reaches the API, thinking blocks go back unmodified in the
tool turn that needs them, they are paid for as output, and the scripted model refuses what
the API refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents.context import ContextConfig, elide_old_results
from agents.errors import BudgetExceeded
from agents.loop import AgentLoop, LoopConfig
from agents.pricing import cost_usd
from devtools.scripted_model import ScriptedModel, reply, text, thinking, tool_use
from tests.agents.test_loop import SUBMIT, make_loop
from tests.agents.test_loop_fakes import MODEL, scripted

BUDGET = 2048


def loop(model: Any, config: LoopConfig) -> AgentLoop[Any]:
    return make_loop(model, config=config)


async def test_a_thinking_budget_is_sent_and_each_thinking_block_returns_unmodified() -> None:
    model, fake = scripted(
        [
            reply(thinking("Reading b.py first."), tool_use("read", {"path": "/workspace/b.py"})),
            reply(tool_use(SUBMIT.tool_name, {"summary": "hi"})),  # the API starts it with thinking
        ]
    )
    result = await loop(model, LoopConfig(max_tokens=4096, thinking_budget=BUDGET)).run("go")
    assert result.output.summary == "hi"
    first, second = (r.body for r in fake.requests)
    assert first["thinking"] == {"type": "enabled", "budget_tokens": BUDGET}
    assert first["max_tokens"] == 4096 + BUDGET
    assert "temperature" not in first and "tool_choice" not in first
    sent_back = second["messages"][1]["content"]
    assert sent_back[0]["type"] == "thinking"
    assert sent_back[0]["thinking"] == "Reading b.py first."
    assert sent_back[0]["signature"]  # as streamed (signature_delta), unchanged


async def test_thinking_tokens_are_paid_for_as_output_and_counted_by_the_budget() -> None:
    long_thought = "Considering every option in turn. " * 200
    model, _ = scripted(
        [reply(thinking(long_thought), tool_use(SUBMIT.tool_name, {"summary": "x"}))],
    )
    result = await loop(model, LoopConfig(thinking_budget=BUDGET)).run("go")
    assert result.usage.output_tokens > len(long_thought) // 5
    assert result.cost_usd == pytest.approx(cost_usd(MODEL, result.usage))
    # The worst case of a call counts the thinking budget as output: a budget that covers a
    # call without thinking stops before one with a large budget.
    model, fake = scripted([reply(tool_use(SUBMIT.tool_name, {"summary": "x"}))])
    config = LoopConfig(max_tokens=1024, thinking_budget=60_000, budget_usd=0.1)
    with pytest.raises(BudgetExceeded, match="thinking included"):
        await loop(model, config).run("go")
    assert fake.requests == []


def test_a_budget_over_the_model_output_cap_is_fitted_inside_it() -> None:
    config = LoopConfig(max_tokens=8192, thinking_budget=100_000)
    max_tokens, budget = config.output_caps("claude-sonnet-4-6")  # 64k output cap
    assert (max_tokens, budget) == (64_000, 64_000 - 8192)


def body(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 8192,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "messages": [{"role": "user", "content": [{"type": "text", "text": "go"}]}],
    }
    return {**base, **fields}


def refusal(fake: ScriptedModel, request: dict[str, Any]) -> str:
    wire = fake.respond("POST", "/v1/messages", {}, json.dumps(request).encode())
    assert wire.status == 400, wire.body
    message: str = json.loads(wire.body)["error"]["message"]
    return message


def test_the_scripted_model_refuses_what_the_api_refuses_with_thinking() -> None:
    fake = ScriptedModel([reply(text("never sent"))])
    low = body(thinking={"type": "enabled", "budget_tokens": 512})
    assert "greater than or equal to 1024" in refusal(fake, low)
    over = body(max_tokens=2048)
    assert "`max_tokens` must be greater than `thinking.budget_tokens`" in refusal(fake, over)
    assert "`temperature` may only be set to 1" in refusal(fake, body(temperature=0.2))
    forced = body(tool_choice={"type": "tool", "name": "echo"})
    assert "`tool_choice` forces tool use" in refusal(fake, forced)
    lost = body(
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "go"}]},
            {"role": "assistant", "content": [tool_use("echo", {}, id="toolu_1")]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}],
            },
        ]
    )
    assert "Expected `thinking` or `redacted_thinking`, but found `tool_use`" in refusal(fake, lost)
    forged = json.loads(json.dumps(lost))
    forged["messages"][1]["content"].insert(0, {**thinking("made up"), "signature": "Zm9v"})
    assert "Invalid `signature` in `thinking` block" in refusal(fake, forged)
    assert fake.remaining == 1  # nothing was answered


def test_elision_never_touches_the_thinking_of_the_current_tool_turn() -> None:
    big = "x" * 5000
    thought = {"type": "thinking", "thinking": "plan", "signature": "c2ln"}
    messages: list[dict[str, Any]] = [{"role": "user", "content": [text("go")]}]
    for n in range(10):
        messages.append(
            {"role": "assistant", "content": [dict(thought), tool_use("echo", {}, id=f"t{n}")]}
        )
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": big}],
            }
        )
    before = json.dumps([m for m in messages if m["role"] == "assistant"])
    elided, _ = elide_old_results(messages, 100_000, 10_000, ContextConfig(keep_recent_results=2))
    assert elided > 0
    assert json.dumps([m for m in messages if m["role"] == "assistant"]) == before
