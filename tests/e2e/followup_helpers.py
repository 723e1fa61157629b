"""Getting a Fixer pull request opened the usual way, then looking at what follow-ups did."""

from __future__ import annotations

import subprocess
from typing import Any

from devtools import sample_repo
from devtools.stack import Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"
PR_BRANCH = "fixer/issue-1"


def open_fixer_pr(stack: Stack) -> int:
    """Issue → approval → PR, as a user gets it; the PR's number."""
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    [pull] = stack.github.state.pulls.values()
    # The lineage is recorded by the run's last step, after the status comment says so.
    wait_until(
        lambda: any("Pull request opened" in c.body for c in issue_comments(stack, 1)),
        what="the PR-opened comment",
    )
    wait_until(lambda: run_state(stack, RUN) == "pr_opened", what="the run to finish")
    return int(pull.number)


def issue_comments(stack: Stack, number: int) -> list[Any]:
    return [c for c in stack.github.state.comments.values() if c.issue == number]


def replies(stack: Stack, pr: int) -> list[Any]:
    return [c for c in issue_comments(stack, pr) if "fixer-followup-reply:" in c.body]


def status_comments(stack: Stack, pr: int) -> list[Any]:
    return [c for c in issue_comments(stack, pr) if "<!-- fixer-followup:" in c.body]


def run_state(stack: Stack, run_id: str) -> str | None:
    from app.runs import store

    run = store.get_run(stack.database_url, run_id)
    return None if run is None else run.state


def followup_approvals(stack: Stack) -> list[dict[str, Any]]:
    return [
        m for m in stack.approval_messages() if "/pr-" in m["metadata"]["event_payload"]["run_id"]
    ]


def commits(stack: Stack, ref: str) -> list[str]:
    """Shas of ``ref`` on the emulated GitHub, newest first."""
    bare = stack.github.site.git.repo_path(sample_repo.REPO)
    out = subprocess.run(
        ["git", "-C", str(bare), "rev-list", ref], capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def parent_of(stack: Stack, sha: str) -> str:
    bare = stack.github.site.git.repo_path(sample_repo.REPO)
    out = subprocess.run(
        ["git", "-C", str(bare), "rev-parse", f"{sha}^"], capture_output=True, text=True
    )
    return out.stdout.strip()
