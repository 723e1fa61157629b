"""Elision also trims what the model sent: the whole file of an old ``write`` and the web
searches of old turns, oldest first, never the newest calls or the current turn."""

from __future__ import annotations

import json
from typing import Any

from agents.context import ContextConfig, elide_old
from agents.loop import LoopConfig
from devtools.scripted_model import reply, text, tool_use
from tests.agents.test_loop import make_loop
from tests.agents.test_loop_fakes import scripted

BIG = "line of a generated file\n" * 400
CONFIG = ContextConfig(keep_recent_results=2)


def search_turn(n: int) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": [
            {
                "type": "server_tool_use",
                "id": f"srv{n}",
                "name": "web_search",
                "input": {"query": f"q{n}"},
            },
            {
                "type": "web_search_tool_result",
                "tool_use_id": f"srv{n}",
                "content": [
                    {
                        "type": "web_search_result",
                        "url": "https://e.test",
                        "title": "t",
                        "encrypted_content": "e" * 8000,
                    }
                ],
            },
            {
                "type": "text",
                "text": "Found it.",
                "citations": [{"type": "web_search_result_location", "url": "https://e.test"}],
            },
            tool_use("read", {"path": "a.py"}, id=f"r{n}"),
        ],
    }


def conversation() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": [text("task")]}]
    for n in range(4):
        messages.append(
            {
                "role": "assistant",
                "content": [tool_use("write", {"path": f"f{n}.py", "content": BIG}, id=f"w{n}")],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"w{n}", "content": "wrote"}],
            }
        )
        messages.append(search_turn(n))
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"r{n}", "content": "ok"}],
            }
        )
    return messages


def test_old_write_inputs_and_old_searches_are_stubbed_and_the_newest_kept() -> None:
    messages = conversation()
    elided, saved = elide_old(messages, 100_000, 20_000, CONFIG)
    assert elided > 0 and saved > 0
    first_write = messages[1]["content"][0]["input"]
    assert first_write["path"] == "f0.py" and first_write["content"].startswith("[input elided")
    first_search = messages[3]["content"]
    assert [b["type"] for b in first_search] == ["text", "text", "tool_use"]
    assert "q0" in first_search[0]["text"] and "citations" not in first_search[1]
    # Every search left in is whole: each server_tool_use still has its result.
    for message in messages:
        kinds = [b["type"] for b in message["content"]]
        assert kinds.count("server_tool_use") == kinds.count("web_search_tool_result")
    last_write = messages[13]["content"][0]["input"]  # w3: among the newest calls
    assert last_write["content"] == BIG
    assert json.dumps(messages[-2]) == json.dumps(search_turn(3))  # the current turn


def test_under_the_limit_nothing_is_touched() -> None:
    messages = conversation()
    before = json.dumps(messages)
    assert elide_old(messages, 10_000, 20_000, CONFIG) == (0, 0)
    assert json.dumps(messages) == before


async def test_the_loop_sends_a_long_run_with_old_writes_trimmed() -> None:
    writes = [
        reply(tool_use("write", {"path": f"/workspace/g{n}.py", "content": BIG})) for n in range(8)
    ]
    model, fake = scripted([*writes, reply(tool_use("submit_answer", {"summary": "wrote"}))])
    config_kwargs: dict[str, Any] = {
        "context": ContextConfig(limit_tokens=12_000, keep_recent_results=2)
    }
    await make_loop(model, config=LoopConfig(**config_kwargs)).run("Go.")
    last = fake.requests[-1].body["messages"]
    inputs = [
        b["input"]["content"]
        for m in last
        if m["role"] == "assistant"
        for b in m["content"]
        if b.get("type") == "tool_use"
    ]
    assert inputs[0].startswith("[input elided")
    assert inputs[-1] == BIG
