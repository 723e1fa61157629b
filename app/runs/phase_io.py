"""What the run workflow hands an agent round, and what it gets back (plain, serialisable)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class PhaseInput(BaseModel):
    run_id: str
    request: dict[str, Any]
    """The run's ``RunRequest``."""
    round: int
    installation_id: int
    repo_full_name: str
    clone_url: str
    config: dict[str, Any]
    """The repository's ``RepoConfig``."""
    model: str
    issue: dict[str, Any]
    """``agents.plan.Issue`` fields: repo, number, title, body, extra_instructions."""
    guidance: dict[str, Any]
    """``agents.plan.RepoGuidance`` fields."""
    base_commit: str | None = None
    """None on the first round: the round fetches the default branch head."""
    plan: dict[str, Any] | None = None
    feedback: str | None = None
    latest_snapshot: dict[str, Any] | None = None
    """``{"sha256", "tree_hash", "files_changed"}`` of the previous round's patch."""
    spent_usd: float = 0.0
    pr_number: int | None = None
    """A follow-up round on this pull request (None for the issue's own rounds): the round
    starts from ``base_commit``, the PR branch's head, and says nothing on the issue."""
    head_ref: str | None = None
    """For a follow-up round: the PR's branch."""
    parent_removes_sandbox: bool = False
    """A round that ends well leaves its container to the parent, which removes it while it
    posts the approval (``release_sandbox`` step) instead of before the round returns; any
    other ending removes it in the round, as always."""


class PhaseFailure(BaseModel):
    kind: str
    """The exception's name (``BudgetExceeded``, ``AgentGaveUp``…) or ``setup``."""
    message: str


class PhaseOutput(BaseModel):
    ok: bool
    base_commit: str
    plan: dict[str, Any] | None = None
    coder: dict[str, Any] | None = None
    snapshot: dict[str, Any] | None = None
    spent_usd: float = 0.0
    transcript_sha: str | None = None
    failure: PhaseFailure | None = None
    tests: str = ""
    """The test command the coder was given and where it came from (the approval shows it)."""
