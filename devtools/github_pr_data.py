"""What the emulated GitHub knows about a pull request's life after it opens.

Reviews and their inline comments, check suites and runs (with annotations), GitHub Actions
workflow runs, their jobs and logs. Plain dataclasses, held by :class:`PullData` inside
:class:`devtools.github_state.GitHubState` and mutated only under its lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}
"""A review's ``event`` when it is created → its ``state`` once submitted
(https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request)."""


@dataclass
class Review:
    id: int
    repo: str
    pull: int
    author: str
    association: str
    state: str
    """``APPROVED``, ``CHANGES_REQUESTED``, ``COMMENTED`` (or ``PENDING`` before submission)."""
    body: str
    commit_id: str
    submitted_at: str = field(default_factory=_now)


@dataclass
class ReviewComment:
    id: int
    repo: str
    pull: int
    review_id: int
    author: str
    association: str
    body: str
    path: str
    line: int
    """The last line of the range, in the file as ``side`` shows it."""
    start_line: int | None
    side: str
    commit_id: str
    diff_hunk: str
    position: int
    """Lines from the first ``@@`` of the file's diff to ``line`` (the legacy position)."""
    in_reply_to: int | None = None
    created_at: str = field(default_factory=_now)


@dataclass
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    """``notice``, ``warning`` or ``failure``."""
    message: str
    title: str | None = None
    raw_details: str | None = None


@dataclass
class CheckRun:
    id: int
    repo: str
    suite_id: int
    name: str
    head_sha: str
    conclusion: str
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[Annotation] = field(default_factory=list)
    job_id: int | None = None
    """For GitHub Actions: the job this check run is (the check run id is the job id)."""
    started_at: str = field(default_factory=_now)
    completed_at: str = field(default_factory=_now)


@dataclass
class CheckSuite:
    id: int
    repo: str
    head_sha: str
    head_branch: str | None
    app_slug: str
    """``github-actions`` for workflows, or another App's slug."""
    conclusion: str
    status: str = "completed"
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass
class Job:
    id: int
    repo: str
    run_id: int
    name: str
    conclusion: str
    head_sha: str
    log: str
    steps: list[tuple[str, str]] = field(default_factory=list)
    """(name, conclusion) of each step."""
    started_at: str = field(default_factory=_now)
    completed_at: str = field(default_factory=_now)


@dataclass
class WorkflowRun:
    id: int
    repo: str
    suite_id: int
    name: str
    path: str
    head_sha: str
    head_branch: str | None
    event: str
    conclusion: str
    run_attempt: int = 1
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass
class LogLink:
    """A signed, short-lived download URL for a job's log, as the 302 hands out."""

    job_id: int
    expires_at: datetime


@dataclass
class PullData:
    reviews: dict[int, Review] = field(default_factory=dict)
    review_comments: dict[int, ReviewComment] = field(default_factory=dict)
    check_suites: dict[int, CheckSuite] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    workflow_runs: dict[int, WorkflowRun] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    log_links: dict[str, LogLink] = field(default_factory=dict)
    """Signature → link; ``GET /actions/jobs/{id}/logs`` adds one per call."""
