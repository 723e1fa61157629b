"""A follow-up round's journal: its ``runs`` row and the PR's comments, each change a step."""

from __future__ import annotations

from typing import Any

from app.models import RunState
from app.runs import status_text
from app.runs.followup_comments import pr_reply_step, pr_status_step, reply_marker
from app.runs.github_steps import set_state_step


class RoundJournal:
    """Where the round is: its ``runs`` row and the PR's status comment, each a step."""

    def __init__(self, round_id: str, lineage: dict[str, Any]) -> None:
        self.round_id, self.lineage = round_id, lineage

    async def state(self, state: RunState, **fields: Any) -> None:
        await set_state_step(self.round_id, {"state": state, **fields})

    async def status(self, body: str) -> None:
        lin = self.lineage
        await pr_status_step(lin["installation_id"], lin["repo_full_name"], lin["pr_number"], body)

    async def reply(self, body: str, round: int) -> dict[str, Any]:
        lin = self.lineage
        return await pr_reply_step(
            lin["installation_id"],
            lin["repo_full_name"],
            lin["pr_number"],
            reply_marker(self.round_id, round),
            body,
        )

    async def notice(self, name: str, body: str) -> dict[str, Any]:
        """A reply posted once per PR, not per round: later rounds edit the same comment."""
        lin = self.lineage
        return await pr_reply_step(
            lin["installation_id"],
            lin["repo_full_name"],
            lin["pr_number"],
            reply_marker(f"{lin['repo_full_name']}#{lin['pr_number']}/{name}", 0),
            body,
        )

    async def stop(self, state: RunState, reason: str) -> str:
        await self.status(status_text.followup_stopped(self.round_id, reason))
        await self.state(state, error=reason[:2000])
        return state
