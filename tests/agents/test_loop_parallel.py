"""Read-only calls of one turn run side by side; mutating calls keep their place; results,
step names and the transcript come out in the order asked, on replay too."""

from __future__ import annotations

import threading
from typing import Any

from agents.tools.base import ToolResult
from agents.transcript import ToolOutput
from devtools.scripted_model import reply, tool_use
from tests.agents.test_loop import FILES, make_loop
from tests.agents.test_loop_fakes import (
    FakeSandbox,
    FakeTool,
    RecordingCheckpoint,
    read_tool,
    scripted,
    write_tool,
)


def meeting_read(parties: int) -> FakeTool:
    """A read that returns only once ``parties`` reads are running at the same time."""
    barrier = threading.Barrier(parties, timeout=5)

    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        barrier.wait()  # BrokenBarrierError (a tool error) if the reads ran one by one
        return ToolResult(content=sandbox.files[args["path"]])

    return FakeTool("read", run)


PATHS = ["/workspace/b.py", "/workspace/a.py", "/workspace/b.py"]


async def test_read_only_calls_of_one_turn_run_side_by_side_and_answer_in_order() -> None:
    model, fake = scripted(
        [
            reply(*(tool_use("read", {"path": p}) for p in PATHS)),
            reply(tool_use("submit_answer", {"summary": "read three"})),
        ]
    )
    checkpoint = RecordingCheckpoint()
    loop = make_loop(model, tools=[meeting_read(3), write_tool()], checkpoint=checkpoint)
    await loop.run("Go.")
    results = fake.requests[1].body["messages"][-1]["content"]
    assert [r["is_error"] for r in results] == [False, False, False]
    assert [r["content"][:5] for r in results] == ["B = 2", "def a", "B = 2"]
    assert checkpoint.names[1:4] == [
        "planner.tool.1.1.read",
        "planner.tool.1.2.read",
        "planner.tool.1.3.read",
    ]
    outputs = [e.index for e in loop.transcript if isinstance(e, ToolOutput)]
    assert outputs[:3] == [1, 2, 3]


async def test_a_write_between_reads_keeps_its_place() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use("read", {"path": "/workspace/c.py"}),
                tool_use("write", {"path": "/workspace/c.py", "content": "C = 3\n"}),
                tool_use("read", {"path": "/workspace/c.py"}),
            ),
            reply(tool_use("submit_answer", {"summary": "ok"})),
        ]
    )
    await make_loop(model, sandbox=FakeSandbox(FILES)).run("Go.")
    before, _write, after = fake.requests[1].body["messages"][-1]["content"]
    assert before["is_error"] and "no such file" in before["content"]
    assert after["content"] == "C = 3\n"  # the read after the write saw it


async def test_a_parallel_turn_replays_to_the_same_results_without_running_tools() -> None:
    script = [
        reply(*(tool_use("read", {"path": p}) for p in PATHS)),
        reply(tool_use("submit_answer", {"summary": "read three"})),
    ]
    model, _ = scripted(script)
    recording = RecordingCheckpoint()
    first = await make_loop(model, tools=[meeting_read(3)], checkpoint=recording).run("Go.")
    replay_model, replay_fake = scripted([])
    replay = RecordingCheckpoint(recording.recorded)
    second = await make_loop(
        replay_model, tools=[read_tool()], checkpoint=replay, sandbox=FakeSandbox()
    ).run("Go.")
    assert replay_fake.requests == []
    assert replay.names == recording.names
    assert second.model_dump() == first.model_dump()
