"""After approval: push the fix branch, open (or find) the pull request, and say so."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dbos import DBOS

from agents.plan import CoderResult, Plan
from app.github_limits import SECTION_LIMIT, fit, tail
from app.models import RunState
from app.repo_config import RepoConfig
from app.runs import status_text
from app.runs.followup_steps import enqueue_round, record_lineage_step
from app.runs.github_steps import run_url
from app.runs.journal import RunJournal
from app.runs.phase_io import PhaseOutput
from app.runs.pr_options import apply_pr_options, draft_for
from app.runs.pull_request import attempt_of, open_pull_request_step, push_branch_step
from app.runs.slack_steps import update_approval_step


@DBOS.step(name="clock")
async def now_step() -> str:
    """The time, recorded once, so a retried push makes the same commit."""
    return datetime.now(UTC).isoformat()


async def open_pr(
    journal: RunJournal,
    out: PhaseOutput,
    plan: Plan,
    result: CoderResult,
    loaded: dict[str, Any],
    decision: dict[str, Any],
    approval: dict[str, str] | None,
    content: dict[str, Any],
    config: RepoConfig,
) -> str:
    run_id, req = journal.run_id, journal.req
    who = decision.get("actor_name") or decision.get("actor_id", "")
    await journal.state(RunState.opening_pr)
    assert out.snapshot is not None
    pushed = await push_branch_step(
        req.installation_id,
        req.repo_full_name,
        loaded["clone_url"],
        issue_number=req.issue_number,
        attempt=attempt_of(run_id),
        workflows=config.allow_workflow_changes,
        issue_title=loaded["issue_title"],
        base_commit=out.base_commit,
        patch_sha=out.snapshot["sha256"],
        default_branch=loaded["default_branch"],
        timestamp=await now_step(),
    )
    journal.pushed_branch = pushed["branch"]
    note = ""
    if pushed["conflict"]:
        note = (
            f"⚠️ `{loaded['default_branch']}` moved and the fix does not rebase cleanly onto it; "
            f"the branch is based on {out.base_commit[:12]}, where it was made and tested."
        )
    tests = "passed" if result.tests_passed else "**still failing**"
    link = run_url(run_id)
    body = (
        f"Fixes #{req.issue_number}\n\n"
        f"## Plan\n\n{fit(plan.to_markdown(), SECTION_LIMIT, link)}\n\n"
        f"## What changed\n\n{fit(result.summary, SECTION_LIMIT, link)}\n\n"
        f"## Tests\n\n`{config.test or 'discovered by the coder'}`: {tests}\n\n"
        f"```\n{tail(result.test_output_tail, 3000)}\n```\n\n"
        f"Cost ${out.spent_usd:.2f} · approved by {who} · [run]({run_url(run_id)})"
        + (f"\n\n{note}" if note else "")
    )
    pull = await open_pull_request_step(
        req.installation_id,
        req.repo_full_name,
        issue_number=req.issue_number,
        title=loaded["issue_title"] or f"Fix #{req.issue_number}",
        body=body,
        base=loaded["default_branch"],
        attempt=attempt_of(run_id),
        more_url=run_url(run_id),
        draft=draft_for(config, result.tests_passed),
    )
    await journal.state(RunState.pr_opened, pr_url=pull["html_url"])
    await journal.comment(status_text.pr_opened(run_id, pull["html_url"], who, note))
    if approval is not None:
        status = {
            "state": "pr_opened",
            "pr_url": pull["html_url"],
            "actor_id": decision.get("actor_id", ""),
            "actor_name": decision.get("actor_name", ""),
        }
        await update_approval_step(approval["channel"], approval["ts"], content, status)
    await journal.progress("pr_opened", f"Pull request opened: {pull['html_url']}")
    # Last, so runs already past the steps above replay unchanged: from here on, feedback
    # on the PR is followed (follow-up rounds, app/runs/followup.py).
    branch = pushed["branch"]
    owed = await record_lineage_step(
        run_id, journal.request, pull, branch, loaded, plan.model_dump()
    )
    for round_id in owed or []:
        enqueue_round(req.repo_full_name, pull["number"], round_id)
    notes = await apply_pr_options(req, config, pull["number"])
    if pull.get("draft_refused"):
        notes.insert(0, "The repository's plan has no draft pull requests: it opened as ready.")
    if notes:
        said = "\n\n".join(part for part in [note, *notes] if part)
        await journal.comment(status_text.pr_opened(run_id, pull["html_url"], who, said))
    return RunState.pr_opened
