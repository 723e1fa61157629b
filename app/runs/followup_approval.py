"""Approval of a follow-up round: the incremental diff and the feedback it answers.

``followup_approval: slack`` (the default) posts the approval message and waits durably
for a decision, as the issue's rounds do (the round is a row in ``runs``, so a click or
``fixer runs approve`` reaches this workflow); ``none`` pushes at once, for teams that
review on GitHub. Without Slack configured the decision comes from ``fixer runs``.
"""

from __future__ import annotations

from typing import Any

from agents.plan import CoderResult
from app.models import RunState
from app.repo_config import RepoConfig
from app.runs import status_text
from app.runs.artifacts import get_artifact
from app.runs.context import current
from app.runs.feedback import FeedbackItem, render
from app.runs.followup_journal import RoundJournal
from app.runs.github_steps import run_url
from app.runs.phase_io import PhaseInput, PhaseOutput
from app.runs.slack_steps import post_approval_step, slack_enabled, update_approval_step
from app.runs.workflow import wait_for_decision
from app.runs.workflow_files import workflow_warning
from app.slack.diffstat import parse_diffstat, totals

AUTO_APPROVED = {"action": "approve", "actor_id": "", "actor_name": "followup_approval: none"}


def approval_content(
    phase: PhaseInput, out: PhaseOutput, diff: str, lineage: dict[str, Any],
    loaded: dict[str, Any], items: list[FeedbackItem], warning: str,
) -> dict[str, Any]:  # fmt: skip
    result = CoderResult.model_validate(out.coder)
    return {
        "run_id": phase.run_id,
        "round": phase.round,
        "repo_full_name": lineage["repo_full_name"],
        "issue_number": lineage["pr_number"],
        "issue_title": f"Follow-up: {loaded['issue_title']}",
        "issue_url": lineage["pr_url"],
        "plan_summary": result.summary,
        "diff": diff,
        "tests_passed": result.tests_passed,
        "tests_summary": result.test_output_tail[-1500:],
        "tests_command": out.tests,
        "cost_usd": out.spent_usd,
        "run_url": run_url(phase.run_id),
        "warnings": [warning] if warning else [],
        "pr_url": lineage["pr_url"],
        "feedback": render(items),
    }


async def approve_round(
    journal: RoundJournal,
    phase: PhaseInput,
    out: PhaseOutput,
    config: RepoConfig,
    loaded: dict[str, Any],
    items: list[FeedbackItem],
) -> dict[str, Any]:
    """The decision on this round's diff, or ``{"state": ...}`` when the round ended."""
    assert out.snapshot is not None and out.coder is not None
    diff = get_artifact(current().settings.database_url, out.snapshot["sha256"]).decode()
    if not diff.strip():
        return {"state": await journal.stop(RunState.failed, "the round changed no file.")}
    stats = parse_diffstat(diff)
    added, removed = totals(stats)
    files = ", ".join(f"`{s.path}`" for s in stats[:20]) + f" (+{added}/−{removed})"
    warning = workflow_warning([s.path for s in stats], config.allow_workflow_changes)
    tests_passed = CoderResult.model_validate(out.coder).tests_passed
    await journal.state(RunState.awaiting_approval, round=phase.round, cost_usd=out.spent_usd)
    if config.followup_approval == "none":
        return {**AUTO_APPROVED, "content": None, "approval": None}
    content = approval_content(phase, out, diff, journal.lineage, loaded, items, warning)
    approval: dict[str, str] | None = None
    where = "Decide with `fixer runs approve|reject`."
    if slack_enabled():
        approval = await post_approval_step(content, None, None)
        await journal.state(
            RunState.awaiting_approval,
            slack_channel=approval["channel"],
            slack_thread_ts=approval["ts"],
        )
        where = "Decide in Slack."
    await journal.status(
        status_text.followup_awaiting(journal.round_id, phase.round, files, tests_passed, where)
    )
    decision = await wait_for_decision(phase.round, config.approval_timeout_hours * 3600)
    if decision is None:
        if approval is not None:
            await update_approval_step(
                approval["channel"], approval["ts"], content, {"state": "expired"}
            )
        return {"state": await journal.stop(RunState.expired, "no decision came in time.")}
    if decision["action"] == "reject":
        who = decision.get("actor_name") or decision.get("actor_id", "")
        return {"state": await journal.stop(RunState.rejected, f"rejected by {who}.")}
    return {**decision, "content": content, "approval": approval}
