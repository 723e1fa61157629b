"""After a follow-up round is approved: one commit on the PR branch, then say so once.

The push step looks before it acts (the PR still open, the round's commit not there yet).
Then one reply on the PR with what changed and the commit link, a reply in each inline
review thread it addressed, the PR's status comment, and the Slack message.
"""

from __future__ import annotations

import contextlib
from typing import Any

from agents.plan import CoderResult
from app.models import RunState
from app.repo_config import RepoConfig
from app.runs import status_text
from app.runs.feedback import FeedbackItem
from app.runs.feedback_steps import reply_in_threads_step
from app.runs.followup_journal import RoundJournal
from app.runs.followup_push import RoundPush, push_round_step
from app.runs.open_pr import now_step
from app.runs.phase_io import PhaseOutput
from app.runs.pr_changelog import note_round
from app.runs.refusals import NOT_SHOWN
from app.runs.slack_steps import update_approval_step


def commit_message(lineage: dict[str, Any], summary: str, items: list[FeedbackItem]) -> str:
    first = (summary.strip().splitlines() or ["Address review feedback"])[0][:200]
    keys = ", ".join(item.event.key for item in items)
    return f"{first}\n\nFollow-up on #{lineage['pr_number']} (answers {keys})."


async def _tell_slack(decision: dict[str, Any], status: dict[str, Any]) -> None:
    approval, content = decision.get("approval"), decision.get("content")
    if approval is None or content is None:
        return
    with contextlib.suppress(*NOT_SHOWN):
        await update_approval_step(approval["channel"], approval["ts"], content, status)


async def push_and_reply(
    journal: RoundJournal,
    out: PhaseOutput,
    config: RepoConfig,
    items: list[FeedbackItem],
    decision: dict[str, Any],
) -> str:
    lineage, round_id = journal.lineage, journal.round_id
    assert out.snapshot is not None and out.coder is not None
    result = CoderResult.model_validate(out.coder)
    await journal.state(RunState.opening_pr)
    pushed = RoundPush(
        **await push_round_step(
            lineage,
            round_base=out.base_commit,
            patch_sha=out.snapshot["sha256"],
            message=commit_message(lineage, result.summary, items),
            round_key=round_id,
            workflows=config.allow_workflow_changes,
            timestamp=await now_step(),
        )
    )
    if pushed.closed:
        await _tell_slack(decision, {"state": "failed", "reason": "the pull request was closed"})
        await journal.state(RunState.cancelled, error="the pull request was closed; nothing pushed")
        return RunState.cancelled
    if pushed.conflict:
        text = status_text.followup_conflict(round_id, pushed.head)
        await journal.reply(text, out_round(decision))
        await journal.status(text)
        reason = f"the branch moved to {pushed.head[:12]} and the change conflicts with it"
        await _tell_slack(decision, {"state": "failed", "reason": reason + "; nothing pushed"})
        await journal.state(RunState.failed, error=reason)
        return RunState.failed
    commit_url = f"{lineage['pr_url']}/commits/{pushed.commit}"
    text = status_text.followup_pushed(round_id, commit_url, pushed.commit, result.summary)
    await journal.reply(text, out_round(decision))
    await reply_in_threads(lineage, items, pushed.commit, result.summary)
    events = [item.event for item in items]
    await note_round(lineage, round_id, pushed.commit, commit_url, result.summary, events)
    await journal.status(text)
    who = {k: decision.get(k, "") for k in ("actor_id", "actor_name")}
    await _tell_slack(decision, {"state": "pushed", "pr_url": commit_url, **who})
    await journal.state(RunState.pr_opened, pr_url=commit_url, cost_usd=out.spent_usd)
    return RunState.pr_opened


def out_round(decision: dict[str, Any]) -> int:
    return int(decision.get("round") or 1)


async def reply_in_threads(
    lineage: dict[str, Any], items: list[FeedbackItem], sha: str, summary: str
) -> None:
    """ "Addressed in <sha>: …" in each inline review thread the round answered."""
    first = (summary.strip().splitlines() or ["see the commit"])[0][:300]
    replies = [
        {"comment_id": thread.comment_id, "body": f"Addressed in {sha}: {first}"}
        for item in items
        for thread in item.threads
    ]
    if replies:
        await reply_in_threads_step(
            lineage["installation_id"], lineage["repo_full_name"], lineage["pr_number"], replies
        )
