"""How the loop treats each stop reason the Messages API returns
(https://docs.claude.com/en/docs/build-with-claude/handling-stop-reasons)."""

from __future__ import annotations

from typing import Any

import pytest

from agents.errors import ModelRefused
from devtools.scripted_model import reply, text, tool_use
from tests.agents.test_loop import FILES, make_loop
from tests.agents.test_loop_fakes import FakeSandbox, scripted

SEARCH = {
    "type": "server_tool_use",
    "id": "srvtoolu_paused",
    "name": "web_search",
    "input": {"query": "python 3.13 removed modules"},
}
FOUND = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_paused",
    "content": [
        {
            "type": "web_search_result",
            "title": "What's New In Python 3.13",
            "url": "https://docs.python.org/3/whatsnew/3.13.html",
            "encrypted_content": "e30=",
            "page_age": None,
        }
    ],
}


async def test_a_call_cut_off_by_the_context_window_is_never_run() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use("write", {"path": "/workspace/a.py", "content": "half"}),
                stop_reason="model_context_window_exceeded",
            ),
            reply(tool_use("submit_answer", {"summary": "done"})),
        ]
    )
    sandbox = FakeSandbox(FILES)
    await make_loop(model, sandbox=sandbox).run("Go.")
    assert sandbox.files["/workspace/a.py"] == FILES["/workspace/a.py"]
    answer = fake.requests[1].body["messages"][-1]["content"][0]
    assert answer["is_error"] and "cut off" in answer["content"]


async def test_a_cut_off_reply_without_a_call_is_asked_to_continue() -> None:
    model, fake = scripted(
        [
            reply(text("The cause is in a.py, where"), stop_reason="max_tokens"),
            reply(tool_use("submit_answer", {"summary": "done"})),
        ]
    )
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "done"
    assert "cut off" in fake.requests[1].body["messages"][-1]["content"][0]["text"]


async def test_refusal_ends_the_agent_with_a_clear_reason_and_runs_nothing() -> None:
    model, _ = scripted(
        [
            reply(
                text("I can't help with that."),
                tool_use("write", {"path": "/workspace/a.py", "content": "x"}),
                stop_reason="refusal",
            )
        ]
    )
    sandbox = FakeSandbox(FILES)
    with pytest.raises(ModelRefused, match="refused to continue"):
        await make_loop(model, sandbox=sandbox).run("Go.")
    assert sandbox.files["/workspace/a.py"] == FILES["/workspace/a.py"]


async def test_a_paused_web_search_goes_back_as_is_and_its_continuation_joins_the_turn() -> None:
    model, fake = scripted(
        [
            reply(text("Searching."), SEARCH, stop_reason="pause_turn"),
            reply(FOUND, text("Found it."), tool_use("read", {"path": "/workspace/b.py"})),
            reply(tool_use("submit_answer", {"summary": "searched"})),
        ]
    )
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "searched"
    assert [r.path for r in fake.requests] == ["/v1/messages"] * 3
    continued = fake.requests[1].body["messages"]
    assert continued[-1]["role"] == "assistant"
    assert strip(continued[-1]["content"]) == [text("Searching."), SEARCH]
    final = fake.requests[2].body["messages"]
    assert [m["role"] for m in final] == ["user", "assistant", "user"]
    assert [b["type"] for b in final[1]["content"]] == [
        "text",
        "server_tool_use",
        "web_search_tool_result",
        "text",
        "tool_use",
    ]


def strip(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in b.items() if k != "cache_control"} for b in blocks]
