"""The words of the run's status comment, one function per phase (pure, testable).

Long parts (a plan, an error) are cut to leave the comment well inside GitHub's 65,536
characters, pointing at the run page for the rest.
"""

from __future__ import annotations

from app.github_limits import SECTION_LIMIT, fit
from app.runs.github_steps import run_url


def _link(run_id: str) -> str:
    return f"[Follow the run]({run_url(run_id)})"


def planning(run_id: str) -> str:
    return f"👋 On it — Fixer is planning a fix: studying the code for the cause. {_link(run_id)}"


def _plan_block(run_id: str, plan_markdown: str) -> str:
    plan = fit(plan_markdown, SECTION_LIMIT, run_url(run_id))
    return f"<details><summary>Plan</summary>\n\n{plan}\n\n</details>"


def coding(run_id: str, plan_markdown: str) -> str:
    plan = _plan_block(run_id, plan_markdown)
    return f"🛠️ Coding — carrying out the plan. {_link(run_id)}\n\n{plan}"


def awaiting_approval(
    run_id: str,
    plan_markdown: str,
    *,
    round: int,
    files: str,
    tests_passed: bool,
    cost_usd: float,
    where: str,
    warning: str = "",
) -> str:
    tests = "✅ tests pass" if tests_passed else "⚠️ **tests still fail** — review with care"
    flagged = f"\n\n{warning}" if warning else ""
    return (
        f"✋ Awaiting approval (round {round}) — {tests}; cost so far ${cost_usd:.2f}. "
        f"{where} {_link(run_id)}\n\n**Changes:** {files}{flagged}\n\n"
        f"{_plan_block(run_id, plan_markdown)}"
    )


def pr_opened(run_id: str, pr_url: str, approver: str, note: str = "") -> str:
    extra = f"\n\n{note}" if note else ""
    return f"🚀 Pull request opened: {pr_url} (approved by {approver}). {_link(run_id)}{extra}"


def rejected(run_id: str, by: str) -> str:
    return f"🛑 Rejected by {by}; nothing was pushed. {_link(run_id)}"


def expired(run_id: str, hours: float) -> str:
    return (
        f"⌛ No decision within {hours:g} h; the run expired and nothing was pushed. "
        f"Comment `/fix` to start again. {_link(run_id)}"
    )


def failed(run_id: str, reason: str, cost_usd: float, pushed_branch: str | None = None) -> str:
    reason = fit(reason, SECTION_LIMIT, run_url(run_id))
    pushed = (
        f"The fix was pushed to `{pushed_branch}`, but no pull request was opened"
        if pushed_branch
        else "Nothing was pushed"
    )
    return (
        f"❌ Fixer stopped: {reason}\n\nSpent ${cost_usd:.2f}. {pushed}; "
        f"comment `/fix` to try again. {_link(run_id)}"
    )


# The pull request's own status comment, for follow-up rounds (one comment per PR).


def followup_working(run_id: str, keys: str) -> str:
    return f"🛠️ Working on the feedback ({keys}) in a follow-up round. {_link(run_id)}"


def followup_awaiting(run_id: str, round: int, files: str, tests_passed: bool, where: str) -> str:
    tests = "✅ tests pass" if tests_passed else "⚠️ **tests still fail**"
    return (
        f"✋ Follow-up round {round} awaits approval — {tests}. {where} {_link(run_id)}\n\n"
        f"**Changes:** {files}"
    )


def followup_pushed(run_id: str, commit_url: str, sha: str, summary: str) -> str:
    summary = fit(summary, SECTION_LIMIT, run_url(run_id))
    return f"✅ Pushed [{sha[:7]}]({commit_url}): {summary} {_link(run_id)}"


def followup_stopped(run_id: str, reason: str) -> str:
    reason = fit(reason, SECTION_LIMIT, run_url(run_id))
    return f"🛑 The follow-up round stopped: {reason} Nothing was pushed. {_link(run_id)}"


def followup_conflict(run_id: str, head: str) -> str:
    return (
        f"⚠️ The branch moved while Fixer worked (now at {head[:12]}) and the follow-up does "
        "not apply onto it without conflicts: nothing was pushed. Comment `/fix` to run the "
        f"round again on the new head. {_link(run_id)}"
    )


def checks_exhausted(attempts: int) -> str:
    return (
        f"⚠️ Checks still fail after {attempts} attempt(s) to fix them (`check_fix_attempts` "
        "in `.github/fixer.yml`): Fixer stops fixing checks on this pull request. Comment "
        "`/fix` to ask for another round."
    )
