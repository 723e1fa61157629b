"""The follow-up round's own steps: claim the PR's feedback, record the round, read the PR.

Each is a DBOS step (recorded once, at-least-once underneath), written so a re-run finds
what its first attempt did: the claim takes back what this round claimed, the round's row
is inserted once, the check attempt is counted once per round.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dbos import DBOS, EnqueueOptions

from app.db import session_scope
from app.git_host import GitRunner
from app.git_mirror import RepoMirror
from app.github import READ_CONTENTS
from app.models import PullRequestLineage, Run
from app.runs import pr_lineage
from app.runs.artifacts import put_artifact
from app.runs.context import current
from app.runs.feedback import FeedbackEvent
from app.runs.github_steps import GITHUB_STEP
from app.runs.queues import FOLLOWUP_QUEUE
from app.runs.step_errors import recordable_errors

DIFF_LIMIT = 60_000
"""Of the PR's diff so far, as the coder reads it (the files themselves are in the sandbox)."""


def round_id_for(run_id: str, pr_number: int, key: str) -> str:
    """The round that ``key`` asks for: ``<run>/pr-<N>/<kind>-<id>`` (workflow and run id)."""
    return f"{round_prefix(run_id, pr_number)}{key.replace(':', '-')}"


def round_prefix(run_id: str, pr_number: int) -> str:
    """Every workflow of the PR's rounds (and their agent children) starts with this."""
    return f"{run_id}/pr-{pr_number}/"


def partition_of(repo_full_name: str, pr_number: int) -> str:
    return f"{repo_full_name}#{pr_number}"


@DBOS.step(name="followup_claim")
async def claim_step(repo_full_name: str, pr_number: int) -> list[dict[str, Any]]:
    round_id = DBOS.workflow_id
    assert round_id is not None
    events = pr_lineage.claim_feedback(
        current().settings.database_url, repo_full_name, pr_number, round_id
    )
    return [event.model_dump(mode="json") for event in events]


def lineage_dict(row: PullRequestLineage) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"created_at", "closed_at"})


@DBOS.step(name="followup_lineage")
async def lineage_step(repo_full_name: str, pr_number: int) -> dict[str, Any] | None:
    row = pr_lineage.get_lineage(current().settings.database_url, repo_full_name, pr_number)
    return None if row is None else lineage_dict(row)


@DBOS.step(name="followup_record_round")
async def record_round_step(lineage: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """The round's row in ``runs`` (trigger ``followup``; the keys it answers in
    ``instructions``), so ``fixer runs``, the run page and approvals see it like a run."""
    round_id = DBOS.workflow_id
    assert round_id is not None
    first = FeedbackEvent.model_validate(events[0])
    keys = " ".join(FeedbackEvent.model_validate(e).key for e in events)
    with session_scope(current().settings.database_url) as session:
        if session.get(Run, round_id) is not None:
            return
        session.add(
            Run(
                id=round_id,
                repo_full_name=lineage["repo_full_name"],
                repo_id=lineage["repo_id"],
                installation_id=lineage["installation_id"],
                issue_number=lineage["issue_number"],
                attempt=0,
                issue_title=f"follow-up on #{lineage['pr_number']}",
                trigger=f"followup:{first.kind}",
                actor=first.actor,
                instructions=keys,
                pr_url=lineage["pr_url"],
            )
        )


@DBOS.step(name="followup_count_check_attempt")
async def count_check_attempt_step(repo_full_name: str, pr_number: int) -> int:
    """This round's number among the PR's check-fixing rounds (counted once per round)."""
    database_url = current().settings.database_url
    row = pr_lineage.get_lineage(database_url, repo_full_name, pr_number)
    attempts = (row.check_attempts if row else 0) + 1
    pr_lineage.update_lineage(database_url, repo_full_name, pr_number, check_attempts=attempts)
    return attempts


def _pr_state(lineage: dict[str, Any], token: str) -> dict[str, str]:
    settings = current().settings
    mirror = RepoMirror(settings.fixer_cache_dir / "mirrors")
    head = mirror.fetch(lineage["clone_url"], token, ref=lineage["head_ref"])
    git = GitRunner(mirror.path(lineage["clone_url"]))
    base = git.run("rev-parse", f"refs/heads/{lineage['base_ref']}")
    diff = git.run("diff", "--no-color", f"{base}...{head}")
    return {"head": head, "diff_sha": put_artifact(settings.database_url, "patch", diff.encode())}


@DBOS.step(name="followup_pr_head", **GITHUB_STEP)
@recordable_errors
async def pr_head_step(lineage: dict[str, Any]) -> dict[str, str]:
    """The PR branch's current head (people may have pushed) and its diff against the base
    branch (``base...head``), fetched with a read-only token."""
    token = await current().github.mint_token(
        lineage["installation_id"], lineage["repo_full_name"], READ_CONTENTS
    )
    return await asyncio.to_thread(_pr_state, lineage, token)


@DBOS.step(name="record_lineage")
async def record_lineage_step(
    run_id: str,
    request: dict[str, Any],
    pull: dict[str, Any],
    branch: str,
    loaded: dict[str, Any],
    plan: dict[str, Any],
) -> list[str] | None:
    """The PR this run opened, so feedback on it is followed (and nobody else's PR is).

    Returns the rounds owed to feedback that came while the PR was being opened (CI, a
    quick reviewer): kept for it until now, they are enqueued by the workflow, since DBOS
    starts workflows from a workflow and not from inside a step. (None: recorded by an
    earlier version, which owed none.)
    """
    pr_lineage.record_lineage(
        current().settings.database_url,
        repo_full_name=request["repo_full_name"],
        pr_number=pull["number"],
        run_id=run_id,
        issue_number=request["issue_number"],
        repo_id=request["repo_id"],
        installation_id=request["installation_id"],
        head_ref=branch,
        base_ref=loaded["default_branch"],
        clone_url=loaded["clone_url"],
        pr_url=pull["html_url"],
        plan=plan,
    )
    database_url = current().settings.database_url
    waiting = pr_lineage.waiting_feedback(database_url, request["repo_full_name"], pull["number"])
    return [round_id_for(run_id, pull["number"], key) for key in waiting]


def enqueue_round(repo_full_name: str, pr_number: int, round_id: str) -> None:
    """Owe the PR the round ``round_id`` (idempotent: the id is derived from its feedback)."""
    DBOS.enqueue_workflow_with_options(
        EnqueueOptions(
            queue_name=FOLLOWUP_QUEUE,
            workflow_name="followup_round",
            workflow_id=round_id,
            queue_partition_key=partition_of(repo_full_name, pr_number),
        ),
        repo_full_name,
        pr_number,
    )
