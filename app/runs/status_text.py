"""The words of the run's status comment, one function per phase (pure, testable)."""

from __future__ import annotations

from app.runs.github_steps import run_url


def _link(run_id: str) -> str:
    return f"[Follow the run]({run_url(run_id)})"


def planning(run_id: str) -> str:
    return f"👋 On it — Fixer is planning a fix: studying the code for the cause. {_link(run_id)}"


def _plan_block(plan_markdown: str) -> str:
    return f"<details><summary>Plan</summary>\n\n{plan_markdown}\n\n</details>"


def coding(run_id: str, plan_markdown: str) -> str:
    return f"🛠️ Coding — carrying out the plan. {_link(run_id)}\n\n{_plan_block(plan_markdown)}"


def awaiting_approval(
    run_id: str,
    plan_markdown: str,
    *,
    round: int,
    files: str,
    tests_passed: bool,
    cost_usd: float,
    where: str,
) -> str:
    tests = "✅ tests pass" if tests_passed else "⚠️ **tests still fail** — review with care"
    return (
        f"✋ Awaiting approval (round {round}) — {tests}; cost so far ${cost_usd:.2f}. "
        f"{where} {_link(run_id)}\n\n**Changes:** {files}\n\n{_plan_block(plan_markdown)}"
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


def failed(run_id: str, reason: str, cost_usd: float) -> str:
    return (
        f"❌ Fixer stopped: {reason}\n\nSpent ${cost_usd:.2f}. Nothing was pushed; "
        f"comment `/fix` to try again. {_link(run_id)}"
    )
