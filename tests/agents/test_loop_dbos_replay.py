"""Parallel tool steps inside a real DBOS workflow: DBOS numbers them in the order asked, and
a replay (a fork past the last step) maps every name to its recorded result: no model call,
no tool run, the same result.

DBOS is a process-wide singleton, so the workflow runs in a child process of its own.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def test_parallel_steps_get_ids_in_call_order_and_replay_from_the_record(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, __file__, str(tmp_path / "dbos.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["steps"] == [
        [1, "planner.llm.1"],
        [2, "planner.tool.1.1.read"],
        [3, "planner.tool.1.2.read"],
        [4, "planner.tool.1.3.read"],
        [5, "planner.llm.2"],
    ]
    assert facts["model_requests"] == [2, 0]  # the replay asked the model nothing
    assert facts["same_result"] is True


def main(database: str) -> None:
    from dbos import DBOS, SetWorkflowID

    from devtools.scripted_model import reply, tool_use
    from tests.agents.test_loop import FILES, make_loop
    from tests.agents.test_loop_fakes import FakeSandbox, crashing_tool, scripted
    from tests.agents.test_loop_parallel import PATHS, meeting_read

    DBOS(config={"name": "parallel-replay", "system_database_url": f"sqlite:///{database}"})
    requests: list[int] = []
    tools: dict[str, Any] = {}

    async def checkpoint(name: str, fn: Any, /, *args: Any) -> Any:
        return await DBOS.run_step_async({"name": name}, fn, *args)

    @DBOS.workflow()
    async def agent() -> dict[str, Any]:
        model, fake = scripted(
            [
                reply(*(tool_use("read", {"path": p}) for p in PATHS)),
                reply(tool_use("submit_answer", {"summary": "read three"})),
            ]
        )
        sandbox = FakeSandbox(FILES)
        loop = make_loop(model, tools=tools["now"], checkpoint=checkpoint, sandbox=sandbox)
        result = await loop.run("Go.")
        requests.append(len(fake.requests))
        return result.model_dump(mode="json")

    async def run() -> None:
        DBOS.launch()
        tools["now"] = [meeting_read(3)]
        with SetWorkflowID("parallel-1"):
            first = await agent()
        steps = await DBOS.list_workflow_steps_async("parallel-1")
        tools["now"] = [crashing_tool()]  # would fail every read that ran again
        handle = await DBOS.fork_workflow_async("parallel-1", len(steps) + 1)
        second = await handle.get_result()
        facts = {
            "steps": [[s["function_id"], s["function_name"]] for s in steps],
            "model_requests": requests,
            "same_result": second == first,
        }
        DBOS.destroy()
        print(json.dumps(facts))

    asyncio.run(run())


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1])
