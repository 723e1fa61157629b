"""The coder: all tools, the plan and guidance in its task, a validated result, review rounds."""

from __future__ import annotations

from typing import Any

from agents.coder import run_coder
from agents.plan import CoderResult, FileChange, Issue, Plan, RepoGuidance
from agents.tool_calls import ToolOutcome
from devtools.scripted_model import reply, tool_use
from tests.agents.test_loop_fakes import (
    FakeSandbox,
    RecordingCheckpoint,
    read_tool,
    scripted,
    shell_tool,
    write_tool,
)

ISSUE = Issue(repo="octo/calc", number=3, title="add(2, 2) returns 0", body="It subtracts.")
PLAN = Plan(
    summary="Make add add.",
    root_cause="`-` in add()",
    steps=["Use +"],
    test_plan="pytest",
    files_to_change=[FileChange(path="calc.py", why="operator")],
)
RESULT: dict[str, Any] = {
    "summary": "calc.py: add() now adds.",
    "commands_run": ["python -m pytest -q"],
    "tests_passed": True,
    "test_output_tail": "1 passed",
    "open_concerns": [],
}


async def test_coder_changes_files_and_reports_a_validated_result() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use(
                    "write",
                    {"path": "/workspace/calc.py", "content": "def add(a, b):\n    return a + b\n"},
                )
            ),
            reply(tool_use("shell", {"command": "python -m pytest -q"})),
            reply(tool_use("submit_result", RESULT)),
        ]
    )
    sandbox = FakeSandbox({"/workspace/calc.py": "def add(a, b):\n    return a - b\n"})
    snapshots: list[str] = []

    async def snapshot(step: str, outcome: ToolOutcome) -> None:
        snapshots.append(step)

    checkpoint = RecordingCheckpoint()
    result = await run_coder(
        model=model,
        sandbox=sandbox,
        tools=[read_tool(), write_tool(), shell_tool()],
        issue=ISSUE,
        plan=PLAN,
        guidance=RepoGuidance(test_command="python -m pytest -q"),
        checkpoint=checkpoint,
        after_mutation=snapshot,
    )
    recorded_tail = "ran: python -m pytest -q\n[exit code 0]"
    assert result.output == CoderResult.model_validate(
        {**RESULT, "test_output_tail": recorded_tail}
    )
    assert "a + b" in sandbox.files["/workspace/calc.py"]
    assert snapshots == ["coder.1.tool.1.1.write", "coder.1.tool.2.1.shell"]
    assert checkpoint.names == [
        "coder.1.llm.1",
        "coder.1.tool.1.1.write",
        "coder.1.llm.2",
        "coder.1.tool.2.1.shell",
        "coder.1.llm.3",
    ]
    first = fake.requests[0].body
    assert [t["name"] for t in first["tools"]] == ["read", "shell", "write", "submit_result"]
    task = first["messages"][0]["content"][0]["text"]
    assert "Make add add." in task and "python -m pytest -q" in task


async def test_a_review_round_has_its_own_steps_and_sees_the_feedback() -> None:
    model, fake = scripted([reply(tool_use("submit_result", RESULT))])
    checkpoint = RecordingCheckpoint()
    await run_coder(
        model=model,
        sandbox=FakeSandbox(),
        tools=[read_tool()],
        issue=ISSUE,
        plan=PLAN,
        guidance=RepoGuidance(),
        feedback="Name the test better.",
        review_round=2,
        checkpoint=checkpoint,
    )
    assert checkpoint.names == ["coder.2.llm.1"]
    task = fake.requests[0].body["messages"][0]["content"][0]["text"]
    assert "Reviewer feedback (round 2)" in task and "Name the test better." in task
