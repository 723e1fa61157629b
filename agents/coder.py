"""The coder: follows a ``Plan`` with every tool, runs the tests, and submits a
``CoderResult``. Later rounds start afresh on the already-changed workspace, with the
reviewer's feedback."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from agents import prompts
from agents.briefing import guidance_section, setup_section
from agents.checkpoint import Checkpoint, run_directly
from agents.llm import Model
from agents.loop import AgentLoop, EventSink, LoopConfig, LoopResult, MutationHook, Submission
from agents.plan import CoderResult, Issue, Plan, RepoGuidance
from agents.sandbox.protocol import Sandbox
from agents.test_record import TestRecord
from agents.tools.base import Tool


def recorded_tests(result: CoderResult, record: TestRecord) -> CoderResult:
    """``result`` with ``tests_passed`` and ``test_output_tail`` from the harness's own record
    of the last test run, not from what the model wrote; a claim the record contradicts is
    left for the reviewer under ``open_concerns``."""
    run = record.last_run(result.commands_run)
    concerns = list(result.open_concerns)
    if run is None:
        what = f"`{record.test_command}`" if record.test_command else "a test command"
        passed, tail = False, f"(no run of {what} was recorded in this session)"
    else:
        passed, tail = run.passed, run.output_tail
    if result.tests_passed and not passed:
        status = "was not run" if run is None else f"exited {run.exit_code}"
        concerns.append(
            "The coder reported the tests as passing, but the last run of the test command "
            f"{status}."
        )
    return result.model_copy(
        update={"tests_passed": passed, "test_output_tail": tail, "open_concerns": concerns}
    )


RESULT_SUBMISSION = Submission(
    tool_name="submit_result",
    description=(
        "Report your finished change: what you changed and the commands you ran. Call it "
        "once, after the last test run; it ends your work. Whether the tests passed is taken "
        "from the last run of the test command, as the shell tool reported it."
    ),
    result_type=CoderResult,
    amend=recorded_tests,
)


class CoderConfig(BaseModel):
    """How the coder runs."""

    loop: LoopConfig = LoopConfig(max_turns=60)


def testing_section(test_command: str | None) -> str:
    """How the coder runs the tests: the configured (or discovered) command, or find it."""
    if test_command:
        return (
            "Run targeted tests while you work, then the full test command once, after your "
            f"last edit: `{test_command}`. Its last run, as the shell tool reports it, is what "
            "your result says about the tests.\n"
        )
    return (
        "The repository does not configure a test command. Find how its tests run (README, "
        "CONTRIBUTING, Makefile, pyproject.toml, package.json, CI workflows), and run them. "
        "Put the command you ran last to test the whole change last in `commands_run`: its "
        "last run decides whether the tests passed.\n"
    )


def coder_task(
    issue: Issue, plan: Plan, guidance: RepoGuidance, feedback: str | None, round_: int
) -> str:
    """The coder's first user message for round ``round_`` (1 = first attempt)."""
    feedback_text = (
        prompts.render(
            "reviewer_feedback",
            round=str(round_),
            feedback_text=prompts.fence("untrusted_feedback", feedback.strip()),
        )
        if feedback
        else ""
    )
    return prompts.render(
        "coder_task",
        number=str(issue.number),
        repo=issue.repo,
        issue=prompts.untrusted_issue(issue.title, issue.body, issue.extra_instructions),
        guidance=guidance_section(guidance),
        setup=setup_section(guidance),
        plan=plan.to_markdown(),
        test_instructions=testing_section(guidance.test_command),
        workflow_rule=prompts.load(
            "workflow_files_allowed" if guidance.allow_workflow_changes else "workflow_files"
        ),
        feedback=feedback_text,
    )


async def run_coder(
    *,
    model: Model,
    sandbox: Sandbox,
    tools: Sequence[Tool],
    issue: Issue,
    plan: Plan,
    guidance: RepoGuidance,
    feedback: str | None = None,
    review_round: int = 1,
    config: CoderConfig | None = None,
    checkpoint: Checkpoint = run_directly,
    on_event: EventSink | None = None,
    after_mutation: MutationHook | None = None,
    spent_usd: float = 0.0,
) -> LoopResult[CoderResult]:
    """Make the change ``plan`` describes. Checkpoints are named ``coder.<review_round>.…``, so
    every review round has its own steps. Raises ``AgentGaveUp`` or a ``LimitExceeded``."""
    loop = AgentLoop(
        agent=f"coder.{review_round}",
        model=model,
        sandbox=sandbox,
        tools=tools,
        system=prompts.load("coder_system"),
        submission=RESULT_SUBMISSION,
        config=(config or CoderConfig()).loop,
        checkpoint=checkpoint,
        on_event=on_event,
        after_mutation=after_mutation,
        spent_usd=spent_usd,
        test_record=TestRecord(guidance.test_command),
    )
    return await loop.run(coder_task(issue, plan, guidance, feedback, review_round))
