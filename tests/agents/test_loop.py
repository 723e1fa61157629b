"""The tool-use loop against the real SDK and a scripted model, with a fake sandbox."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from agents.errors import BudgetExceeded, TurnLimitExceeded
from agents.loop import AgentLoop, LoopConfig, Submission
from agents.tool_calls import ToolOutcome
from agents.transcript import ModelCall, ToolCall, ToolOutput, TranscriptEvent
from devtools.scripted_model import reply, text, tool_use
from tests.agents.test_loop_fakes import (
    FakeSandbox,
    RecordingCheckpoint,
    crashing_tool,
    read_tool,
    scripted,
    write_tool,
)


class Answer(BaseModel):
    summary: str


SUBMIT = Submission("submit_answer", "Hand in the answer.", Answer)
FILES = {"/workspace/a.py": "def a():\n    return 1\n" * 40, "/workspace/b.py": "B = 2\n" * 50}


def make_loop(model: Any, **options: Any) -> AgentLoop[Answer]:
    defaults: dict[str, Any] = {
        "agent": "planner",
        "model": model,
        "sandbox": FakeSandbox(FILES),
        "tools": [write_tool(), read_tool(), crashing_tool()],
        "system": "You are a test agent. " * 200,
        "submission": SUBMIT,
    }
    return AgentLoop(**{**defaults, **options})


def user_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = body["messages"][-1]["content"]
    return content


async def test_two_tool_calls_in_one_turn_are_answered_in_order_in_one_message() -> None:
    model, fake = scripted(
        [
            reply(
                text("Reading both."),
                tool_use("read", {"path": "/workspace/b.py"}),
                tool_use("read", {"path": "/workspace/a.py"}),
            ),
            reply(tool_use("submit_answer", {"summary": "done"})),
        ]
    )
    result = await make_loop(model).run("Look at the files.")
    second = fake.requests[1].body
    results = user_blocks(second)
    assert [block["type"] for block in results] == ["tool_result", "tool_result"]
    assert [block["tool_use_id"] for block in results] == [
        "toolu_scripted_001_2",
        "toolu_scripted_001_3",
    ]
    assert results[0]["content"].startswith("B = 2")
    assert results[1]["content"].startswith("def a()")
    assert result.output == Answer(summary="done")
    assert result.turns == 2


async def test_tool_failures_come_back_as_is_error_results() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use("read", {"path": "/workspace/missing.py"}),
                tool_use("crash", {}),
                tool_use("nonexistent", {}),
            ),
            reply(tool_use("submit_answer", {"summary": "gave it a go"})),
        ]
    )
    await make_loop(model).run("Go.")
    results = user_blocks(fake.requests[1].body)
    assert [block["is_error"] for block in results] == [True, True, True]
    assert "no such file" in results[0]["content"]
    assert "crash failed: KeyError" in results[1]["content"]
    assert "no tool named 'nonexistent'" in results[2]["content"]


async def test_breakpoints_move_and_the_prefix_stays_byte_identical() -> None:
    model, fake = scripted(
        [
            reply(tool_use("read", {"path": "/workspace/a.py"})),
            reply(tool_use("read", {"path": "/workspace/b.py"})),
            reply(text("Almost."), tool_use("read", {"path": "/workspace/a.py"})),
            reply(tool_use("submit_answer", {"summary": "ok"})),
        ]
    )
    await make_loop(model).run("Go.")
    bodies = [request.body for request in fake.requests]
    assert len({json.dumps(body["tools"]) for body in bodies}) == 1
    assert len({json.dumps(body["system"]) for body in bodies}) == 1
    for body in bodies:
        assert "cache_control" in body["tools"][-1]
        assert "cache_control" in body["system"][-1]
        assert [t["name"] for t in body["tools"]] == ["crash", "read", "write", "submit_answer"]
        marked = [
            i
            for i, message in enumerate(body["messages"])
            if any("cache_control" in block for block in message["content"])
        ]
        newest = len(body["messages"]) - 1
        assert marked == ([newest] if newest == 0 else [newest - 2, newest])

    # Each request starts with the previous one (breakpoints aside): an append-only history.
    def strip(body: dict[str, Any]) -> str:
        return json.dumps(body["messages"]).replace(', "cache_control": {"type": "ephemeral"}', "")

    for before, after in itertools.pairwise(bodies):
        assert strip(after).startswith(strip(before)[:-1])
    # From the second request on, the API would read most of the prompt from the cache.
    usages = [request.usage for request in fake.requests]
    assert usages[0]["cache_read_input_tokens"] == 0
    assert all(u["cache_read_input_tokens"] > u["input_tokens"] for u in usages[1:])


async def test_budget_stops_before_a_call_that_could_pass_the_cap() -> None:
    script = [reply(tool_use("read", {"path": "/workspace/a.py"})) for _ in range(30)]
    model, fake = scripted(script)
    loop = make_loop(model, config=LoopConfig(budget_usd=0.10, max_tokens=1000))
    with pytest.raises(BudgetExceeded, match=r"planner stopped before model call \d+") as stopped:
        await loop.run("Go.")
    assert loop.cost <= 0.10
    # Within one call of the cap: the next call's worst case (all input written to the cache,
    # max_tokens of output) would have passed it; the previous call's did not.
    found = re.search(r"could cost up to \$([0-9.]+)", str(stopped.value))
    assert found is not None
    worst = float(found.group(1))
    assert loop.cost + worst > 0.10
    calls = [e for e in loop.transcript if isinstance(e, ModelCall)]
    assert loop.cost - calls[-1].cost_usd + worst <= 0.10 + 0.01
    assert len(fake.requests) == len(calls) < 30


async def test_spend_of_earlier_agents_counts_against_the_budget() -> None:
    model, fake = scripted([reply(tool_use("submit_answer", {"summary": "x"}))])
    loop = make_loop(model, config=LoopConfig(budget_usd=1.0), spent_usd=0.999)
    with pytest.raises(BudgetExceeded):
        await loop.run("Go.")
    assert fake.requests == []


async def test_turn_limit_raises_after_the_last_allowed_turn() -> None:
    model, fake = scripted([reply(tool_use("read", {"path": "/workspace/a.py"}))] * 5)
    with pytest.raises(TurnLimitExceeded, match="all 3 turns"):
        await make_loop(model, config=LoopConfig(max_turns=3)).run("Go.")
    assert len(fake.requests) == 3


async def test_replay_returns_recorded_results_and_makes_no_model_requests() -> None:
    script = [
        reply(tool_use("write", {"path": "/workspace/c.py", "content": "C = 3\n"})),
        reply(tool_use("read", {"path": "/workspace/c.py"})),
        reply(tool_use("submit_answer", {"summary": "wrote c"})),
    ]
    model, _fake = scripted(script)
    recording = RecordingCheckpoint()
    first = await make_loop(model, checkpoint=recording).run("Go.")
    assert recording.names == [
        "planner.llm.1",
        "planner.tool.1.1.write",
        "planner.llm.2",
        "planner.tool.2.1.read",
        "planner.llm.3",
    ]
    replay_model, replay_fake = scripted([])
    sandbox = FakeSandbox()
    replay = RecordingCheckpoint(recording.recorded)
    second = await make_loop(replay_model, checkpoint=replay, sandbox=sandbox).run("Go.")
    assert replay_fake.requests == []
    assert sandbox.files == {}  # tools were not run again either
    assert second.output == first.output
    assert second.model_dump() == first.model_dump()  # same transcript, costs and durations


async def test_events_stream_out_and_mutations_are_announced() -> None:
    model, _ = scripted(
        [
            reply(
                text("Writing."),
                tool_use("write", {"path": "/workspace/d.py", "content": "D\n"}),
                tool_use("read", {"path": "/workspace/d.py"}),
            ),
            reply(tool_use("submit_answer", {"summary": "d"})),
        ]
    )
    seen: list[TranscriptEvent] = []
    mutated: list[str] = []

    async def after_mutation(step: str, outcome: ToolOutcome) -> None:
        mutated.append(step)

    result = await make_loop(model, on_event=seen.append, after_mutation=after_mutation).run("Go")
    assert seen == result.transcript
    assert mutated == ["planner.tool.1.1.write"]
    calls = [e for e in seen if isinstance(e, ToolCall)]
    assert [(c.name, c.input.get("path")) for c in calls][:2] == [
        ("write", "/workspace/d.py"),
        ("read", "/workspace/d.py"),
    ]
    outputs = [e for e in seen if isinstance(e, ToolOutput)]
    assert outputs[1].content == "D\n" and not outputs[1].is_error
    costs = [e for e in seen if isinstance(e, ModelCall)]
    assert len(costs) == 2 and all(c.cost_usd > 0 for c in costs)
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in costs))


async def test_server_tool_blocks_stay_in_the_history_and_are_not_answered() -> None:
    search = {
        "type": "server_tool_use",
        "id": "srvtoolu_01",
        "name": "web_search",
        "input": {"query": "pydantic v2 model_validate"},
    }
    found = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_01",
        "content": [
            {
                "type": "web_search_result",
                "title": "Models",
                "url": "https://docs.pydantic.dev/",
                "encrypted_content": "abc",
                "page_age": None,
            }
        ],
    }
    model, fake = scripted(
        [
            reply(search, found, text("Found it."), tool_use("read", {"path": "/workspace/a.py"})),
            reply(tool_use("submit_answer", {"summary": "searched"})),
        ]
    )
    result = await make_loop(model).run("Go.")
    history = fake.requests[1].body["messages"]
    assert [b["type"] for b in history[1]["content"]] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
        "tool_use",
    ]
    assert [b["tool_use_id"] for b in history[2]["content"]] == ["toolu_scripted_001_4"]
    server_calls = [e for e in result.transcript if isinstance(e, ToolCall) and e.server]
    assert server_calls[0].input == {"query": "pydantic v2 model_validate"}
