"""What a follow-up round's agents are given: the issue, the original plan, the PR's diff
so far and the feedback, all in one ``PhaseInput`` for the shared ``agent_phase``.

The feedback and the PR's diff (which may hold commits people pushed) reach the coder as
its ``feedback``, which it fences as untrusted data. A large request (feedback naming more
files than ``followup_planner_files``) goes through the planner first instead of reusing
the original plan; the planner then reads the feedback with the issue.
"""

from __future__ import annotations

from typing import Any

from app.github_limits import tail
from app.repo_config import RepoConfig
from app.runs.context import current
from app.runs.feedback import FeedbackItem, render
from app.runs.followup_steps import DIFF_LIMIT
from app.runs.phase_io import PhaseInput


def coder_feedback(items: list[FeedbackItem], pr_diff: str) -> str:
    """The batch as the coder reads it, then the PR's changes so far (``base...head``)."""
    diff = pr_diff if len(pr_diff) <= DIFF_LIMIT else tail(pr_diff, DIFF_LIMIT)
    return (
        "This is a follow-up on the pull request that fixes the issue. The workspace is "
        "the pull request's branch as it is now. Answer this feedback with a change on top "
        "of it:\n\n"
        f"{render(items)}\n\n"
        "### The pull request's changes so far (diff against its base branch)\n\n"
        f"```diff\n{diff.rstrip()}\n```"
    )


def needs_planner(items: list[FeedbackItem], config: RepoConfig) -> bool:
    files = set().union(*(item.files_named for item in items)) if items else set()
    return len(files) > config.followup_planner_files


def phase_for(
    round_id: str,
    request: dict[str, Any],
    lineage: dict[str, Any],
    loaded: dict[str, Any],
    config: RepoConfig,
    head: str,
    items: list[FeedbackItem],
    feedback: str,
) -> PhaseInput:
    plan = None if needs_planner(items, config) else lineage.get("plan")
    return PhaseInput(
        run_id=round_id,
        request=request,
        round=1,
        installation_id=lineage["installation_id"],
        repo_full_name=lineage["repo_full_name"],
        clone_url=lineage["clone_url"],
        config=config.model_dump(),
        model=config.model or current().settings.fixer_model,
        issue={
            "repo": lineage["repo_full_name"],
            "number": lineage["issue_number"],
            "title": loaded["issue_title"],
            "body": loaded["issue_body"],
            # With no plan to reuse, the planner must see what is asked of this round.
            "extra_instructions": render(items) if plan is None else "",
        },
        guidance={
            "agents_md": loaded["agents_md"],
            "instructions": config.instructions,
            "test_command": config.test,
            "allow_workflow_changes": config.allow_workflow_changes,
        },
        base_commit=head,
        plan=plan,
        feedback=feedback,
        pr_number=lineage["pr_number"],
        head_ref=lineage["head_ref"],
    )
