"""What the run intake does with feedback on a pull request, and with the PR's end.

Database work and DBOS calls only, no GitHub: the feedback is stored (once per key), then a
round is enqueued on the follow-up queue in the PR's partition. The round's workflow id is
derived from the key, so storing and enqueuing again after a crash changes nothing; a round
whose feedback an earlier round already took ends without a word.

``pull_request.closed`` ends the lineage, cancels the PR's rounds in flight (and their agent
rounds, whose sandboxes are removed on the way out) and marks their rows cancelled.
"""

from __future__ import annotations

import asyncio
import logging

from dbos import DBOS
from sqlmodel import col, select

from app.db import session_scope
from app.models import ACTIVE_STATES, Run, RunState
from app.runs import pr_lineage, store
from app.runs.feedback import FeedbackEvent, PullClosed
from app.runs.followup_steps import enqueue_round, round_id_for, round_prefix

log = logging.getLogger("fixer.followup")
NOT_OURS = "ignored:not a pull request Fixer opened"


def accept_feedback(database_url: str, event: FeedbackEvent) -> str:
    """Store ``event`` and owe its PR a round; the delivery's outcome."""
    lineage = pr_lineage.get_lineage(database_url, event.repo_full_name, event.pr_number)
    if lineage is None:
        if not store.opening_pr_in(database_url, event.repo_full_name, event.pr_number):
            return NOT_OURS  # anyone else's PR: recorded, no reply
        # A run of this repository is opening its PR and may not have recorded it yet (CI
        # or a reviewer can be that quick, and a crash widens the gap): keep the feedback;
        # recording the PR starts its round, and feedback on anyone else's PR waits forever.
        pr_lineage.store_feedback(database_url, event)
        lineage = pr_lineage.get_lineage(database_url, event.repo_full_name, event.pr_number)
        if lineage is None:
            return f"kept:until the pull request being opened is recorded ({event.key})"
        # Recorded between the two reads: its step may have looked for waiting feedback
        # before this was stored, so the round is owed from here (enqueuing is idempotent).
        if lineage.state != "open":
            return f"ignored:the pull request is {lineage.state}"
        round_id = round_id_for(lineage.run_id, event.pr_number, event.key)
        enqueue_round(event.repo_full_name, event.pr_number, round_id)
        return f"followup:{round_id}"
    if lineage.state != "open":
        return f"ignored:the pull request is {lineage.state}"
    if event.head_ref and event.head_ref != lineage.head_ref:
        return NOT_OURS
    stored = pr_lineage.store_feedback(database_url, event)
    round_id = round_id_for(lineage.run_id, event.pr_number, event.key)
    # Enqueued even when stored before: this process may have died between the two.
    enqueue_round(event.repo_full_name, event.pr_number, round_id)
    return f"followup:{round_id}" if stored else f"ignored:feedback {event.key} is stored already"


async def end_lineage(database_url: str, closed: PullClosed) -> str:
    """The PR was closed or merged: nothing more happens on it."""
    lineage = pr_lineage.get_lineage(database_url, closed.repo_full_name, closed.pr_number)
    if lineage is None:
        return NOT_OURS
    await asyncio.to_thread(
        pr_lineage.close_lineage,
        database_url,
        closed.repo_full_name,
        closed.pr_number,
        closed.merged,
    )
    prefix = round_prefix(lineage.run_id, closed.pr_number)
    live = await DBOS.list_workflows_async(
        workflow_id_prefix=prefix,
        status=["PENDING", "ENQUEUED"],
        load_input=False,
        load_output=False,
    )
    for workflow in live:
        await DBOS.cancel_workflow_async(workflow.workflow_id)
    await asyncio.to_thread(_cancel_rows, database_url, prefix, closed.merged)
    how = "merged" if closed.merged else "closed"
    return f"recorded:pull request {how}, {len(live)} workflow(s) cancelled"


def _cancel_rows(database_url: str, prefix: str, merged: bool) -> None:
    with session_scope(database_url) as session:
        ids = session.exec(
            select(Run.id).where(
                col(Run.id).startswith(prefix),
                col(Run.state).in_([s.value for s in ACTIVE_STATES]),
            )
        ).all()
    reason = f"the pull request was {'merged' if merged else 'closed'}; nothing more is pushed"
    for run_id in ids:
        store.update_run(database_url, run_id, state=RunState.cancelled, error=reason)
