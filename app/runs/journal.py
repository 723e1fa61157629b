"""The run's journal: where a ``fix_issue`` run is, told to the issue, Slack and our tables.

Every change is a step (state, status comment, Slack progress), so a replay finds what was
already said. A failure is told best effort and always ends the run: nothing may leave it
active (DESIGN §4).
"""

from __future__ import annotations

import contextlib
from typing import Any

from app.models import RunState
from app.runs import status_text
from app.runs.context import current
from app.runs.github_steps import set_state_step, status_comment_step
from app.runs.refusals import NOT_SHOWN
from app.runs.request import RunRequest
from app.runs.slack_steps import progress_step, slack_enabled, update_approval_step


class RunJournal:
    """The parent workflow's view of where the run is; every change is a step."""

    def __init__(self, run_id: str, request: dict[str, Any]) -> None:
        self.run_id = run_id
        self.request = request
        self.req = RunRequest.model_validate(request)
        self.slack_thread: tuple[str, str | None] | None = (
            (self.req.slack_channel, self.req.slack_thread_ts) if self.req.slack_channel else None
        )
        self.comment_recreated = False
        """The status comment was deleted and posted again once; deleted again, it stays gone."""
        self.spent = 0.0
        self.approval: tuple[dict[str, str], dict[str, Any]] | None = None
        """The latest Slack approval message and its content (marked failed if the run fails)."""
        self.pushed_branch: str | None = None
        """Set once the approved fix is on GitHub: a failure after that must not say otherwise."""

    async def state(self, state: RunState, **fields: Any) -> None:
        await set_state_step(self.run_id, {"state": state, **fields})

    async def comment(self, body: str) -> None:
        posted = await status_comment_step(
            self.run_id, self.request, body, not self.comment_recreated
        )
        self.comment_recreated = self.comment_recreated or bool(posted.get("recreated"))

    async def progress(self, phase: str, text: str, round: int = 1) -> None:
        if not slack_enabled():
            return
        if self.slack_thread is not None:
            channel, thread = self.slack_thread
            await progress_step(channel, thread, self.run_id, phase, text, round)
        elif phase == "failed":
            # No thread yet (the run came from GitHub and stopped before approval): people
            # in the approvals channel still hear that it stopped, and why.
            approvals = current().settings.slack_approval_channel
            assert approvals is not None
            await progress_step(
                approvals, None, self.run_id, phase, f"{self.req.issue_ref}: {text}", round
            )

    async def fail(self, reason: str, spent: float) -> str:
        # Each notice is best effort: the issue may refuse the comment (archived, deleted
        # twice) and Slack may be down; neither may leave the run active.
        with contextlib.suppress(*NOT_SHOWN):
            await self.comment(
                status_text.failed(self.run_id, reason, spent, pushed_branch=self.pushed_branch)
            )
        with contextlib.suppress(*NOT_SHOWN):
            await self.progress("failed", reason)
            if self.approval is not None:
                message, content = self.approval
                failed = {"state": "failed", "reason": reason}
                await update_approval_step(message["channel"], message["ts"], content, failed)
        await self.state(RunState.failed, error=reason[:2000], cost_usd=spent)
        return RunState.failed
