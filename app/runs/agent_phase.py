"""One round of agent work as a child workflow: sandbox, planner (first round), coder, patch.

It runs on the agent queue, partitioned by repository and capped per worker, so a run that
waits days for approval holds neither a queue slot nor a container. Every model call and
tool call is a DBOS step; the workspace is snapshotted after each change.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from dbos import DBOS

from agents.coder import CoderConfig, run_coder
from agents.errors import AgentGaveUp, LimitExceeded, ModelError, SandboxError, SandboxLost
from agents.llm import ModelUnavailable
from agents.loop import LoopConfig
from agents.plan import Issue, Plan, RepoGuidance, SetupOutcome
from agents.planner import PlannerConfig, run_planner
from agents.sandbox.protocol import SandboxSnapshot
from agents.test_discovery import discover as discover_tests
from agents.tool_calls import ToolOutcome
from agents.tools.registry import all_tools, read_only_tools
from app.git_host import GitHostError
from app.models import RunState
from app.repo_config import RepoConfig
from app.runs import setup_failure, status_text
from app.runs.artifacts import get_artifact, put_artifact
from app.runs.context import current
from app.runs.github_steps import set_state_step, status_comment_step
from app.runs.live_sandbox import LiveSandbox
from app.runs.model_calls import durable_checkpoint
from app.runs.model_capacity import CapacityNotice
from app.runs.phase_io import PhaseFailure, PhaseInput, PhaseOutput
from app.runs.workspace import RunWorkspace
from app.timeline import recorder
from app.timeline.agent_events import timeline_sink

AGENT_FAILURES = (
    LimitExceeded,
    AgentGaveUp,
    ModelError,
    ModelUnavailable,
    SandboxError,
    SandboxLost,
    GitHostError,
)


def workspace_for(phase: PhaseInput) -> RunWorkspace:
    ctx = current()
    return RunWorkspace(
        ctx.settings,
        ctx.github,
        run_id=phase.run_id,
        installation_id=phase.installation_id,
        repo_full_name=phase.repo_full_name,
        clone_url=phase.clone_url,
        config=RepoConfig.model_validate(phase.config),
    )


@DBOS.step(name="fetch_base", retries_allowed=True, max_attempts=4, interval_seconds=1.0)
async def fetch_base_step(phase: dict[str, Any]) -> str:
    return await asyncio.to_thread(workspace_for(PhaseInput.model_validate(phase)).fetch)


# Retried: a fresh container is made again whole (a Docker hiccup, or a container removed
# under the step by a worker that took the run over, must not end the run).
@DBOS.step(name="start_sandbox", retries_allowed=True, max_attempts=3, interval_seconds=2.0)
async def start_sandbox_step(phase: dict[str, Any], base_commit: str) -> list[dict[str, Any]]:
    workspace = workspace_for(PhaseInput.model_validate(phase))
    results = await asyncio.to_thread(workspace.start, workspace.sandbox(), base_commit)
    return [result.model_dump() for result in results]


def _load_snapshot(meta: dict[str, Any], base_commit: str) -> SandboxSnapshot:
    patch = get_artifact(current().settings.database_url, meta["sha256"]).decode()
    return SandboxSnapshot(base_commit=base_commit, patch=patch, **meta)


async def _snapshot(sandbox: LiveSandbox) -> dict[str, Any]:
    snap = await asyncio.to_thread(sandbox.snapshot)
    put_artifact(current().settings.database_url, "patch", snap.patch.encode())
    return {"sha256": snap.sha256, "tree_hash": snap.tree_hash, "files_changed": snap.files_changed}


@DBOS.step(name="release_sandbox", retries_allowed=True, max_attempts=5, interval_seconds=1.0)
async def release_sandbox_step(phase_data: dict[str, Any]) -> None:
    """Remove the container a round handed over (idempotent: nothing left is nothing done)."""
    phase = PhaseInput.model_validate(phase_data)
    await asyncio.to_thread(workspace_for(phase).sandbox().stop)


@DBOS.workflow(name="agent_phase")
async def agent_phase(phase_data: dict[str, Any]) -> dict[str, Any]:
    """Plan (round 1) and code one round; returns a ``PhaseOutput`` as a dict."""
    phase = PhaseInput.model_validate(phase_data)
    config = RepoConfig.model_validate(phase.config)
    spent = phase.spent_usd
    try:
        base_commit = phase.base_commit or await fetch_base_step(phase_data)
    except GitHostError as exc:
        return _failed(phase, "repository unreachable", str(exc), spent, "")
    live = LiveSandbox(workspace_for(phase), base_commit)
    if phase.latest_snapshot is not None:
        live.latest = _load_snapshot(phase.latest_snapshot, base_commit)
    setup: list[dict[str, Any]] = []
    handed_over = False
    try:
        if phase.round == 1:
            setup = await start_sandbox_step(phase_data, base_commit)
            failed = next((r for r in setup if r["exit_code"] != 0), None)
            if failed is not None:
                # Setup stops at its first failure, so the last result is the failed command.
                command = config.setup[len(setup) - 1]
                return _failed(
                    phase,
                    "setup",
                    setup_failure.describe(
                        command, failed["exit_code"], failed["output"], failed["timed_out"]
                    ),
                    spent,
                    base_commit,
                )
        planner_name, coder_name = agent_models(phase, config)
        notice = CapacityNotice(phase.run_id, phase.request, status_text.planning(phase.run_id))
        if phase.plan:
            notice.resume = status_text.coding(phase.run_id, Plan(**phase.plan).to_markdown())
        issue = Issue(**phase.issue)
        guidance = with_setup(
            with_discovered_tests(RepoGuidance(**phase.guidance), live, base_commit),
            config.setup,
            setup,
        )
        plan = Plan.model_validate(phase.plan) if phase.plan else None
        if plan is None:
            planned = await run_planner(
                model=current().models.model(planner_name),  # the process's shared client
                sandbox=live,
                tools=read_only_tools(),
                issue=issue,
                guidance=guidance,
                config=PlannerConfig(loop=loop_config(config, "planner")),
                checkpoint=durable_checkpoint(planner_name, notice),
                on_event=timeline_sink(phase.run_id, phase.round),
                spent_usd=spent,
            )
            plan, spent = planned.output, spent + planned.cost_usd
            recorder.note_plan(phase.run_id, phase.round, plan.model_dump(mode="json"))
            await set_state_step(phase.run_id, {"state": RunState.coding, "cost_usd": spent})
            notice.resume = status_text.coding(phase.run_id, plan.to_markdown())
            if phase.pr_number is None:  # a follow-up round tells the PR, not the issue
                await status_comment_step(phase.run_id, phase.request, notice.resume)

        async def after_mutation(step_name: str, outcome: ToolOutcome) -> None:
            # A command that left the tree as the latest snapshot has it (tests, `ls`, `git
            # diff`) needs no snapshot: that one still rebuilds the workspace exactly. Decided
            # from the tool's recorded outcome, so a replay takes the same steps.
            tree = outcome.meta.get("workspace_tree")
            if tree and tree == await asyncio.to_thread(live.tree):
                return
            meta = await DBOS.run_step_async({"name": f"snapshot.{step_name}"}, _snapshot, live)
            live.latest = _load_snapshot(meta, base_commit)

        coded = await run_coder(
            model=current().models.model(coder_name),
            sandbox=live,
            tools=all_tools(),
            issue=issue,
            plan=plan,
            guidance=guidance,
            feedback=phase.feedback,
            review_round=phase.round,
            config=CoderConfig(loop=loop_config(config, "coder")),
            checkpoint=durable_checkpoint(coder_name, notice),
            on_event=timeline_sink(phase.run_id, phase.round),
            after_mutation=after_mutation,
            spent_usd=spent,
        )
        spent += coded.cost_usd
        final = await DBOS.run_step_async({"name": f"patch.{phase.round}"}, _snapshot, live)
        recorder.note_diff(phase.run_id, phase.round, final)
        transcript = "\n".join(event.model_dump_json() for event in coded.transcript)
        transcript_sha = put_artifact(
            current().settings.database_url, "transcript", transcript.encode()
        )
        handed_over = phase.parent_removes_sandbox
        return PhaseOutput(
            ok=True,
            base_commit=base_commit,
            plan=plan.model_dump(),
            coder=coded.output.model_dump(),
            snapshot=final,
            spent_usd=spent,
            transcript_sha=transcript_sha,
            tests=tests_line(guidance),
        ).model_dump()
    except AGENT_FAILURES as exc:
        return _failed(phase, type(exc).__name__, str(exc), spent, base_commit)
    finally:
        # Idempotent, and run on replay too: a finished round never leaves a container, but
        # for one handed over to the parent, whose release_sandbox step removes it.
        if not handed_over:
            await asyncio.to_thread(live.release)


def agent_models(phase: PhaseInput, config: RepoConfig) -> tuple[str, str]:
    """(planner, coder) models: the repository's `planner_model`/`coder_model`, else its
    `model`, else FIXER_PLANNER_MODEL/FIXER_CODER_MODEL, else FIXER_MODEL (``phase.model``)."""
    settings = current().settings
    fallback = config.model or None
    return (
        config.planner_model or fallback or settings.fixer_planner_model or phase.model,
        config.coder_model or fallback or settings.fixer_coder_model or phase.model,
    )


def loop_config(config: RepoConfig, agent: Literal["planner", "coder"]) -> LoopConfig:
    """The agent's limits, with its thinking budget (the repository's `thinking`, else
    FIXER_THINKING_BUDGET)."""
    thinking = config.thinking_for(agent)
    if thinking is None:
        thinking = current().settings.fixer_thinking_budget
    return LoopConfig(
        max_turns=config.max_turns, budget_usd=config.budget_usd, thinking_budget=thinking
    )


def with_discovered_tests(
    guidance: RepoGuidance, live: LiveSandbox, base_commit: str
) -> RepoGuidance:
    """No ``test:`` in fixer.yml: the project's own test command, found from its files.

    A pure function of the base commit's files, so a replayed round finds the same command.
    """
    if guidance.test_command:
        return guidance
    found = discover_tests(live.workspace.base_dir(base_commit))
    if found is None:
        return guidance
    source = f"discovered from the repository's files: {found.reason}"
    return guidance.model_copy(
        update={"test_command": found.command, "test_command_source": source}
    )


def with_setup(
    guidance: RepoGuidance, commands: list[str], results: list[dict[str, Any]]
) -> RepoGuidance:
    """The agents are told the set-up commands and, in the round that ran them, how each went
    (later rounds restore a sandbox that was set up then)."""
    outcomes = [
        SetupOutcome(
            command=command, exit_code=result["exit_code"], output_tail=result["output"][-2000:]
        )
        for command, result in zip(commands, results, strict=False)
    ]
    return guidance.model_copy(
        update={"setup_commands": list(commands), "setup_outcomes": outcomes}
    )


def tests_line(guidance: RepoGuidance) -> str:
    """The test command and its source, as the approval message shows it."""
    if not guidance.test_command:
        return "none found: the coder looked for how the tests run"
    source = guidance.test_command_source or "the `test` setting of fixer.yml"
    return f"`{guidance.test_command}` ({source})"


def _failed(
    phase: PhaseInput, kind: str, message: str, spent: float, base_commit: str
) -> dict[str, Any]:
    return PhaseOutput(
        ok=False,
        base_commit=base_commit,
        plan=phase.plan,
        failure=PhaseFailure(kind=kind, message=message),
        spent_usd=spent,
    ).model_dump()
