"""A submission counts only when nothing else in its turn failed, and the coder's "tests
passed" is the harness's record of the last test run, not what the model wrote."""

from __future__ import annotations

from typing import Any

from agents.coder import run_coder
from agents.plan import CoderResult, FileChange, Issue, Plan, RepoGuidance
from devtools.scripted_model import reply, tool_use
from tests.agents.test_loop import make_loop
from tests.agents.test_loop_fakes import FakeSandbox, scripted, shell_tool, write_tool

TESTS = "python -m pytest -q"
ISSUE = Issue(repo="octo/calc", number=3, title="add(2, 2) returns 0", body="It subtracts.")
PLAN = Plan(
    summary="Make add add.",
    root_cause="`-` in add()",
    steps=["Use +"],
    test_plan=TESTS,
    files_to_change=[FileChange(path="calc.py", why="operator")],
)
CLAIM: dict[str, Any] = {
    "summary": "calc.py: add() now adds.",
    "commands_run": [TESTS],
    "tests_passed": True,
    "test_output_tail": "5 passed (trust me)",
}


async def test_a_submission_next_to_a_failed_call_is_not_accepted() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use("read", {"path": "/workspace/missing.py"}),
                tool_use("submit_answer", {"summary": "too early"}),
            ),
            reply(tool_use("submit_answer", {"summary": "after looking"})),
        ]
    )
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "after looking"
    failed, refused = fake.requests[1].body["messages"][-1]["content"]
    assert failed["is_error"] and "no such file" in failed["content"]
    assert refused["is_error"] and "call 1 (`read`) of the same turn failed" in refused["content"]


async def test_a_submission_next_to_calls_that_succeeded_is_accepted() -> None:
    model, fake = scripted(
        [
            reply(
                tool_use("read", {"path": "/workspace/a.py"}),
                tool_use("submit_answer", {"summary": "with a read"}),
            )
        ]
    )
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "with a read" and len(fake.requests) == 1


async def code(script: list[Any], guidance: RepoGuidance, codes: dict[str, int]) -> CoderResult:
    model, _ = scripted(script)
    result = await run_coder(
        model=model,
        sandbox=FakeSandbox({"/workspace/calc.py": "def add(a, b):\n    return a - b\n"}),
        tools=[write_tool(), shell_tool(codes)],
        issue=ISSUE,
        plan=PLAN,
        guidance=guidance,
    )
    return result.output


def run_tests(command: str = TESTS) -> dict[str, Any]:
    return reply(tool_use("shell", {"command": command}))


async def test_tests_passed_comes_from_the_last_run_of_the_test_command() -> None:
    # The model claims a pass; the last run of the configured command exited 1.
    output = await code(
        [
            run_tests(),
            run_tests(f"cd /workspace && {TESTS} 2>&1"),
            reply(tool_use("submit_result", CLAIM)),
        ],
        RepoGuidance(test_command=TESTS),
        {f"cd /workspace && {TESTS} 2>&1": 1},
    )
    assert output.tests_passed is False
    assert output.test_output_tail.endswith("[exit code 1]")
    assert "5 passed (trust me)" not in output.test_output_tail
    assert any("exited 1" in concern for concern in output.open_concerns)


async def test_a_targeted_run_after_the_full_one_does_not_decide_the_result() -> None:
    output = await code(
        [
            run_tests(),
            run_tests("python -m pytest -q tests/test_calc.py"),
            reply(tool_use("submit_result", CLAIM)),
        ],
        RepoGuidance(test_command=TESTS),
        {"python -m pytest -q tests/test_calc.py": 1},
    )
    assert output.tests_passed is True
    assert output.test_output_tail == f"ran: {TESTS}\n[exit code 0]"
    assert output.open_concerns == []


async def test_a_test_command_never_run_is_not_a_pass() -> None:
    output = await code(
        [reply(tool_use("submit_result", CLAIM))], RepoGuidance(test_command=TESTS), {}
    )
    assert output.tests_passed is False
    assert "no run of `python -m pytest -q` was recorded" in output.test_output_tail
    assert any("was not run" in concern for concern in output.open_concerns)


async def test_without_a_configured_command_the_last_named_command_that_ran_decides() -> None:
    claim = {**CLAIM, "commands_run": ["pip install -e .", "npm test"], "tests_passed": False}
    output = await code(
        [
            run_tests("npm test"),
            run_tests("pip install -e ."),
            reply(tool_use("submit_result", claim)),
        ],
        RepoGuidance(),
        {},
    )
    assert output.tests_passed is True  # the model under-claimed; the record says it passed
    assert output.test_output_tail == "ran: npm test\n[exit code 0]"
