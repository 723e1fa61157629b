"""The durable ``fix_issue`` workflow (DESIGN §1, §4): one issue, from trigger to PR.

Every side effect is a step that looks before it acts, so a step re-run after a crash finds
what its first attempt did. Agent work runs as a child workflow per round on the agent
queue; waiting for a person is a durable ``recv`` that holds no container.
"""

from __future__ import annotations

import logging
from typing import Any

from dbos import DBOS, EnqueueOptions

from agents.plan import CoderResult, Plan
from app.models import RunState
from app.repo_config import CONFIG_PATH, RepoConfig
from app.runs import status_text
from app.runs.admission import GITHUB_TRIGGERS, permission_refusal, trigger_refusal
from app.runs.agent_phase import release_sandbox_step
from app.runs.artifacts import get_artifact
from app.runs.assignment import app_bot_login_step, assignee_refusal
from app.runs.context import current
from app.runs.github_steps import (
    acknowledge_step,
    actor_permission_step,
    load_repo_step,
    post_already_active_step,
    record_run_step,
    run_url,
)
from app.runs.journal import RunJournal
from app.runs.open_pr import open_pr
from app.runs.phase_io import PhaseInput, PhaseOutput
from app.runs.queues import AGENT_QUEUE
from app.runs.refusals import RUN_ENDING, reason_for
from app.runs.request import RunRequest
from app.runs.slack_steps import (
    post_approval_step,
    slack_enabled,
    update_approval_step,
)
from app.runs.workflow_files import workflow_warning
from app.slack.diffstat import parse_diffstat, totals

log = logging.getLogger("fixer.runs")
SANDBOX_HANDOVER_PATCH = "sandbox-removed-after-approval"
"""The ``DBOS.patch`` that marks runs whose rounds leave their container to the run."""


async def run_round(phase: PhaseInput) -> PhaseOutput:
    handle = await DBOS.enqueue_workflow_with_options_async(
        EnqueueOptions(
            queue_name=AGENT_QUEUE,
            workflow_name="agent_phase",
            workflow_id=f"{phase.run_id}/round-{phase.round}",
            queue_partition_key=phase.repo_full_name,
        ),
        phase.model_dump(mode="json"),
    )
    # The round's result is polled for: at 0.2 s the approval waited 0.1 s on average for
    # nothing; a round lasts seconds, so polling 20 times a second is a few cheap reads.
    return PhaseOutput.model_validate(await handle.get_result(polling_interval_sec=0.05))


async def wait_for_decision(round: int, timeout_s: float) -> dict[str, Any] | None:
    """The decision for ``round``, or None when the wait runs out (stale rounds ignored)."""
    while True:
        message: dict[str, Any] | None = await DBOS.recv_async(
            "decision", timeout_seconds=timeout_s
        )
        if message is None or message.get("round") == round:
            return message


async def admission_refusal(request: dict[str, Any], loaded: dict[str, Any]) -> str | None:
    """Why this run may not start, or None: checked before anything shows on GitHub.

    The configured trigger first (no GitHub call when it does not match), then the actor's
    permission, asked of GitHub, for the triggers that come from GitHub.
    """
    req = RunRequest.model_validate(request)
    if "error" not in loaded:
        config = RepoConfig.model_validate(loaded["config"])
        refusal = trigger_refusal(config, req, loaded.get("issue_labels") or [])
        if refusal is not None:
            return refusal
    if req.trigger not in GITHUB_TRIGGERS:
        return None
    if req.trigger == "assigned":
        refusal = assignee_refusal(req, await app_bot_login_step(request))
        if refusal is not None:
            return refusal
    return permission_refusal(req, await actor_permission_step(request))


@DBOS.workflow(name="fix_issue")
async def fix_issue(run_id: str, request: dict[str, Any], attempt: int) -> str:
    """Fix one issue; returns the run's final state."""
    journal = RunJournal(run_id, request)
    req = journal.req
    await record_run_step(run_id, request, attempt)
    loaded = await load_repo_step(request)
    refusal = await admission_refusal(request, loaded)
    if refusal is not None:
        # Recorded, not commented: whoever may not start runs gets no reply to provoke.
        await journal.state(RunState.skipped, error=refusal)
        return RunState.skipped
    await acknowledge_step(request)
    if "error" in loaded:
        await journal.comment(
            f"⚠️ Fixer cannot start: `{CONFIG_PATH}` is invalid.\n\n```\n{loaded['error']}\n```\n"
            "Fix the file on the default branch and comment `/fix` to try again."
        )
        await journal.state(RunState.failed, error=loaded["error"])
        return RunState.failed
    config = RepoConfig.model_validate(loaded["config"])
    await journal.state(RunState.planning, issue_title=loaded["issue_title"])
    await journal.comment(status_text.planning(run_id))
    await journal.progress("planning", f"Planning a fix for {req.issue_ref}.")
    phase = PhaseInput(
        run_id=run_id,
        request=request,
        round=1,
        installation_id=req.installation_id,
        repo_full_name=req.repo_full_name,
        clone_url=loaded["clone_url"],
        config=config.model_dump(),
        model=config.model or current().settings.fixer_model,
        issue={
            "repo": req.repo_full_name,
            "number": req.issue_number,
            "title": loaded["issue_title"],
            "body": loaded["issue_body"],
            "extra_instructions": req.instructions,
        },
        guidance={
            "agents_md": loaded["agents_md"],
            "instructions": config.instructions,
            "test_command": config.test,
            "allow_workflow_changes": config.allow_workflow_changes,
        },
    )
    # A round that ends well leaves its container for this workflow to remove once the
    # approval is posted: the removal is off the way to the approval message. Runs started
    # before kept waiting for their rounds to remove it (the patch keeps them on that path).
    if await DBOS.patch_async(SANDBOX_HANDOVER_PATCH):
        phase = phase.model_copy(update={"parent_removes_sandbox": True})
    return await approval_rounds(journal, phase, config, loaded)


async def approval_rounds(
    journal: RunJournal, phase: PhaseInput, config: RepoConfig, loaded: dict[str, Any]
) -> str:
    """The rounds until a decision; a refusal nothing will undo fails the run (DESIGN §4)."""
    try:
        return await _rounds(journal, phase, config, loaded)
    except RUN_ENDING as exc:
        await _remove_handed_over(phase)
        return await journal.fail(reason_for(exc, journal.run_id), journal.spent)
    except Exception as exc:
        # Anything else is a bug of ours (cancellation is a BaseException, not caught): the
        # run fails saying so, instead of staying "planning" with nothing left to move it.
        log.exception("run %s stopped on an unexpected error", journal.run_id)
        await _remove_handed_over(phase)
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return await journal.fail(reason, journal.spent)


async def _remove_handed_over(phase: PhaseInput) -> None:
    """The container a round left to this workflow, removed (idempotent; a run that fails
    holds none)."""
    if not phase.parent_removes_sandbox:
        return
    try:
        await release_sandbox_step(phase.model_dump())
    except Exception:
        # A container left behind is not worth losing the run's own ending over; it keeps
        # its `fixer.run_id` label, so it is found and removed by that.
        log.exception("run %s: could not remove its sandbox", phase.run_id)


async def _rounds(
    journal: RunJournal, phase: PhaseInput, config: RepoConfig, loaded: dict[str, Any]
) -> str:
    run_id, req = journal.run_id, journal.req
    while True:
        out = await run_round(phase)
        if not out.ok:
            assert out.failure is not None
            return await journal.fail(f"{out.failure.kind}: {out.failure.message}", out.spent_usd)
        assert out.plan is not None and out.coder is not None and out.snapshot is not None
        plan, result = Plan.model_validate(out.plan), CoderResult.model_validate(out.coder)
        diff = get_artifact(current().settings.database_url, out.snapshot["sha256"]).decode()
        stats = parse_diffstat(diff)
        added, removed = totals(stats)
        files = ", ".join(f"`{s.path}`" for s in stats[:20]) + f" (+{added}/−{removed})"
        warning = workflow_warning([s.path for s in stats], config.allow_workflow_changes)
        journal.spent = out.spent_usd
        await journal.state(RunState.awaiting_approval, round=phase.round, cost_usd=out.spent_usd)
        where = "Decide with `fixer runs approve|reject`."
        approval: dict[str, str] | None = None
        content: dict[str, Any] = {}
        if slack_enabled():
            content = {
                "run_id": run_id,
                "round": phase.round,
                "repo_full_name": req.repo_full_name,
                "issue_number": req.issue_number,
                "issue_title": loaded["issue_title"],
                "issue_url": loaded["issue_url"],
                "plan_summary": plan.summary,
                "diff": diff,
                "tests_passed": result.tests_passed,
                "tests_summary": result.test_output_tail[-1500:],
                "tests_command": out.tests,
                "cost_usd": out.spent_usd,
                "run_url": run_url(run_id),
                "warnings": [warning] if warning else [],
            }
            approval = await post_approval_step(content, req.slack_thread_ts, req.slack_channel)
            # A mention's run keeps its progress in the mention's thread, in any channel.
            if not req.slack_channel:
                journal.slack_thread = (approval["channel"], approval["ts"])
            await journal.state(
                RunState.awaiting_approval,
                slack_channel=approval["channel"],
                slack_thread_ts=approval["ts"],
            )
            where = "Decide in Slack."
            journal.approval = (approval, content)
        await journal.comment(
            status_text.awaiting_approval(
                run_id,
                plan.to_markdown(),
                round=phase.round,
                files=files,
                tests_passed=result.tests_passed,
                cost_usd=out.spent_usd,
                where=where,
                warning=warning,
            )
        )
        # The approval is out: now the round's container goes (a run waiting for people
        # holds none), before any decision can start the next round in a container of its own.
        await _remove_handed_over(phase)
        decision = await wait_for_decision(phase.round, config.approval_timeout_hours * 3600)
        if decision is None:
            if approval is not None:
                await update_approval_step(
                    approval["channel"], approval["ts"], content, {"state": "expired"}
                )
            await journal.comment(status_text.expired(run_id, config.approval_timeout_hours))
            await journal.state(RunState.expired)
            return RunState.expired
        who = decision.get("actor_name") or decision.get("actor_id", "")
        if decision["action"] == "reject":
            await journal.comment(status_text.rejected(run_id, who))
            await journal.progress("failed", f"Rejected by {who}.", phase.round)
            await journal.state(RunState.rejected)
            return RunState.rejected
        if decision["action"] == "approve":
            return await open_pr(
                journal, out, plan, result, loaded, decision, approval, content, config
            )
        if phase.round >= config.max_rounds:
            return await journal.fail(
                f"changes were requested after round {phase.round}, the most this "
                "repository allows (`max_rounds`)",
                out.spent_usd,
            )
        await journal.state(RunState.coding, round=phase.round + 1)
        await journal.comment(status_text.coding(run_id, plan.to_markdown()))
        await journal.progress(
            "coding", f"Round {phase.round + 1}: working on the feedback.", phase.round + 1
        )
        phase = phase.model_copy(
            update={
                "round": phase.round + 1,
                "base_commit": out.base_commit,
                "plan": out.plan,
                "feedback": decision.get("feedback") or "",
                "latest_snapshot": out.snapshot,
                "spent_usd": out.spent_usd,
            }
        )


@DBOS.workflow(name="notify_already_active")
async def notify_already_active(active_run_id: str, request: dict[str, Any]) -> None:
    """Tell the issue that a trigger arrived while a run is active; start nothing."""
    notice_id = DBOS.workflow_id
    assert notice_id is not None
    req = RunRequest.model_validate(request)
    if req.trigger == "assigned":
        # Assigning the bot to an issue it is already working on needs no reply (and an
        # issue created with an assignee sends ``opened`` and ``assigned`` together).
        return
    # Only people who may start runs hear back: an outsider's /fix gets no reply.
    if req.trigger in GITHUB_TRIGGERS and permission_refusal(
        req, await actor_permission_step(request)
    ):
        return
    await post_already_active_step(notice_id, active_run_id, request)
