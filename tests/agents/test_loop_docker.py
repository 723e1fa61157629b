"""The coder's loop end to end on the real tools in a real Docker sandbox (scripted model)."""

from __future__ import annotations

from typing import Any

import pytest

from agents.coder import run_coder
from agents.plan import FileChange, Issue, Plan, RepoGuidance
from agents.tool_calls import ToolOutcome
from agents.tools.registry import all_tools
from devtools.scripted_model import reply, text, tool_use
from tests.agents.test_loop_fakes import RecordingCheckpoint, scripted

pytestmark = pytest.mark.docker

CHECK = (
    "cd src && python3 -c 'from app import add; assert add(2, 3) == 5, add(2, 3); print(\"ok\")'"
)


async def test_coder_fixes_a_bug_with_real_tools_in_a_real_sandbox(sandbox: Any) -> None:
    model, fake = scripted(
        [
            reply(
                text("Let me look."),
                tool_use("grep", {"pattern": "def add", "include": "*.py"}),
                tool_use("read", {"path": "src/app.py"}),
            ),
            reply(
                tool_use(
                    "edit", {"path": "src/app.py", "old": "return a - b", "new": "return a + b"}
                )
            ),
            reply(tool_use("shell", {"command": CHECK})),
            reply(
                tool_use(
                    "submit_result",
                    {
                        "summary": "src/app.py: add() adds.",
                        "commands_run": [CHECK],
                        "tests_passed": True,
                        "test_output_tail": "ok",
                        "open_concerns": [],
                    },
                )
            ),
        ]
    )
    snapshots: list[str] = []

    async def snapshot(step: str, outcome: ToolOutcome) -> None:
        snapshots.append(step)

    plan = Plan(
        summary="add() subtracts.",
        root_cause="`-`",
        steps=["use +"],
        test_plan=CHECK,
        files_to_change=[FileChange(path="src/app.py", why="operator")],
    )
    result = await run_coder(
        model=model,
        sandbox=sandbox,
        tools=all_tools(),
        issue=Issue(repo="o/r", number=1, title="add is wrong", body="add(2, 3) gives -1"),
        plan=plan,
        guidance=RepoGuidance(test_command=CHECK),
        checkpoint=RecordingCheckpoint(),
        after_mutation=snapshot,
    )
    assert result.output.tests_passed
    results = [
        block for request in fake.requests[1:] for block in request.body["messages"][-1]["content"]
    ]
    assert not any(block["is_error"] for block in results), results
    assert "src/app.py" in results[0]["content"] and "return a - b" in results[1]["content"]
    assert "ok" in results[3]["content"]
    assert "return a + b" in sandbox.read_file("/workspace/src/app.py").decode()
    assert snapshots == ["coder.1.tool.2.1.edit", "coder.1.tool.3.1.shell"]
    # Put the bug back: the module's sandbox is shared with other tests.
    sandbox.write_file(
        "/workspace/src/app.py",
        sandbox.read_file("/workspace/src/app.py").replace(b"a + b", b"a - b"),
    )
