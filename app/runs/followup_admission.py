"""Which claimed feedback a follow-up round acts on (DESIGN §3: who may spend the money).

Per piece: a person needs write permission (asked of GitHub, never judged from
``author_association``); a comment or comment review must be addressed to this App's bot
(a ``/fix`` command or an ``@<slug>`` mention); failing checks need ``fix_checks`` and an
attempt left of ``check_fix_attempts``. A refusal is recorded on the feedback row, never
commented, except the one notice that the check attempts ran out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.repo_config import RepoConfig
from app.runs.admission import permission_refusal
from app.runs.assignment import app_bot_login_step
from app.runs.feedback import FeedbackEvent, addressed_to
from app.runs.followup_steps import count_check_attempt_step
from app.runs.github_steps import actor_permission_step
from app.runs.request import RunRequest


class Admission(BaseModel):
    admitted: list[FeedbackEvent] = []
    refused: dict[str, str] = {}
    """key → why (recorded on the feedback row)."""
    checks_exhausted: bool = False
    """Checks failed again after the last attempt: say so once on the PR."""


def actor_request(lineage: dict[str, Any], event: FeedbackEvent) -> dict[str, Any]:
    """A ``RunRequest`` for the shared steps that ask about a person or react to a comment."""
    return RunRequest(
        repo_full_name=lineage["repo_full_name"],
        repo_id=lineage["repo_id"],
        installation_id=lineage["installation_id"],
        issue_number=lineage["pr_number"],
        trigger="comment",
        actor=event.actor,
        comment_id=event.source_id if event.kind == "comment" else None,
    ).model_dump(mode="json")


async def admit(
    lineage: dict[str, Any], events: list[FeedbackEvent], config: RepoConfig
) -> Admission:
    result = Admission()
    bot: str | None = None
    checks_counted = False
    for event in events:
        request = actor_request(lineage, event)
        if event.head_ref and event.head_ref != lineage["head_ref"]:
            result.refused[event.key] = f"the feedback is about branch {event.head_ref}"
            continue
        if event.kind == "checks":
            if not config.fix_checks:
                result.refused[event.key] = "fix_checks is off in .github/fixer.yml"
                continue
            if checks_counted:  # one attempt answers every failing suite of the batch
                result.admitted.append(event)
                continue
            if lineage["check_attempts"] >= config.check_fix_attempts:
                result.refused[event.key] = (
                    f"the {config.check_fix_attempts} check fixing attempts "
                    "(`check_fix_attempts`) are used up"
                )
                result.checks_exhausted = True
                continue
            await count_check_attempt_step(lineage["repo_full_name"], lineage["pr_number"])
            checks_counted = True
            result.admitted.append(event)
            continue
        if not addressed_to(event, bot or ""):
            if bot is None:
                bot = await app_bot_login_step(request)
            if not addressed_to(event, bot):
                result.refused[event.key] = f"it does not mention {bot} or say /fix"
                continue
        req = RunRequest.model_validate(request)
        refusal = permission_refusal(req, await actor_permission_step(request))
        if refusal is not None:
            result.refused[event.key] = refusal
            continue
        result.admitted.append(event)
    return result
