"""The service's own tables (DBOS keeps its system tables beside them).

``runs`` is a projection for listing and for the one-active-run-per-issue rule; the
durable truth of a run is its DBOS workflow.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from app.clock import utcnow


class RunState(StrEnum):
    queued = "queued"
    planning = "planning"
    coding = "coding"
    awaiting_approval = "awaiting_approval"
    opening_pr = "opening_pr"
    pr_opened = "pr_opened"
    rejected = "rejected"
    expired = "expired"
    failed = "failed"
    cancelled = "cancelled"
    skipped = "skipped"

    @property
    def active(self) -> bool:
        return self in ACTIVE_STATES


ACTIVE_STATES = frozenset(
    {
        RunState.queued,
        RunState.planning,
        RunState.coding,
        RunState.awaiting_approval,
        RunState.opening_pr,
    }
)


class Installation(SQLModel, table=True):
    __tablename__ = "installations"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    """GitHub's installation id."""
    account_login: str
    account_type: str = "User"
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Repository(SQLModel, table=True):
    __tablename__ = "repositories"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    """GitHub's repository id."""
    full_name: str = Field(index=True, unique=True)
    installation_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    private: bool = False
    added_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class WebhookDelivery(SQLModel, table=True):
    """Every accepted delivery, keyed by ``X-GitHub-Delivery`` so a redelivery is seen."""

    __tablename__ = "webhook_deliveries"

    id: str = Field(primary_key=True)
    event: str
    action: str | None = None
    received_at: datetime = Field(default_factory=utcnow)
    outcome: str = Field(default="", index=True)
    """``pending`` (a run start is owed), ``starting:<executor>``, then what came of it:
    ``started:<run>``, ``busy:<run>``, ``ignored:<reason>``, ``recorded:...``."""
    request: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    """The run request a ``pending`` delivery owes (kept for the audit trail)."""


class Run(SQLModel, table=True):
    __tablename__ = "runs"

    id: str = Field(primary_key=True)
    """The DBOS workflow id: ``owner/repo#N:attempt``."""
    repo_full_name: str = Field(index=True)
    repo_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    installation_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    issue_number: int
    attempt: int = 1
    issue_title: str = ""
    trigger: str
    """``opened``, ``labeled``, ``comment``, ``slack`` or ``cli``."""
    actor: str
    instructions: str = ""
    state: str = Field(default=RunState.queued, index=True)
    round: int = 1
    cost_usd: float = 0.0
    status_comment_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    status_comment_url: str | None = None
    pr_url: str | None = None
    error: str | None = None
    workflow_id: str | None = None
    """The DBOS workflow now carrying the run, when a retry forked it (else ``id``)."""
    slack_channel: str | None = None
    slack_thread_ts: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class ApprovalDecision(SQLModel, table=True):
    """Who decided what on a run's approval round; one decision per round."""

    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("run_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    round: int
    action: str
    """``approve``, ``request_changes`` or ``reject``."""
    actor_id: str
    actor_name: str = ""
    feedback: str = ""
    source: str = "slack"
    """``slack`` (with ``source_ref`` the Slack action id) or ``cli``."""
    source_ref: str = ""
    decided_at: datetime = Field(default_factory=utcnow)


class Artifact(SQLModel, table=True):
    """Big data (patches, transcripts) stored once and referenced by hash from steps."""

    __tablename__ = "artifacts"

    sha256: str = Field(primary_key=True)
    kind: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Security-relevant facts: refused signatures, refused approvers, decisions, pushes."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = ""
    action: str
    target: str = ""
    detail: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))


class ExecutorHeartbeat(SQLModel, table=True):
    """One row per worker process: when it was last alive, and who took over its runs."""

    __tablename__ = "executors"

    id: str = Field(primary_key=True)
    """``FIXER_EXECUTOR_ID``."""
    last_seen: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime = Field(default_factory=utcnow)
    taken_over_by: str | None = None
    """Set when another worker recovered this one's pending workflows after it fell silent."""


class ModelUsage(SQLModel, table=True):
    """One model call's tokens, as the API's per-minute limits count them, shared by every
    worker (``FIXER_LLM_ITPM``/``FIXER_LLM_OTPM``, ``app/runs/token_budget.py``)."""

    __tablename__ = "model_usage"

    id: str = Field(primary_key=True)
    """The ``llm_call`` workflow's id: a re-run of its steps rewrites its row, never adds one."""
    at: float = Field(index=True)
    """Epoch seconds: when the call was admitted, then when its reply came."""
    model: str = ""
    input_tokens: int = 0
    """Input tokens that count toward ITPM (cache reads are free for current models)."""
    output_tokens: int = 0
    final: bool = False
    """False while the call is in flight (its tokens are estimates), True once answered."""


class PullRequestLineage(SQLModel, table=True):
    """A pull request Fixer opened, and the run it came from: only these PRs are followed."""

    __tablename__ = "pr_lineage"
    __table_args__ = (UniqueConstraint("repo_full_name", "pr_number"),)

    id: int | None = Field(default=None, primary_key=True)
    repo_full_name: str = Field(index=True)
    pr_number: int
    run_id: str = Field(index=True)
    """The ``fix_issue`` run that opened the PR."""
    issue_number: int
    repo_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    installation_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    head_ref: str
    base_ref: str
    clone_url: str
    pr_url: str = ""
    plan: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    """The first run's plan, which every follow-up round's coder is given."""
    state: str = "open"
    """``open``, then ``closed`` or ``merged`` (the lineage ends: later feedback is ignored)."""
    check_attempts: int = 0
    """Rounds started for failing checks (``check_fix_attempts`` caps them)."""
    status_comment_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class PullRequestFeedback(SQLModel, table=True):
    """One piece of feedback on a followed PR, kept until a follow-up round claims it."""

    __tablename__ = "pr_feedback"
    __table_args__ = (UniqueConstraint("repo_full_name", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    repo_full_name: str = Field(index=True)
    pr_number: int = Field(index=True)
    key: str
    """``FeedbackEvent.key``: a redelivered webhook stores nothing new."""
    kind: str
    event: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    """The ``FeedbackEvent``."""
    round_id: str | None = Field(default=None, index=True)
    """The follow-up round that claimed it (None while it waits for one)."""
    outcome: str = ""
    """What the round did with it: ``answered``, ``refused:<why>``, ``ignored:<why>``."""
    received_at: datetime = Field(default_factory=utcnow)


# Tables defined beside their feature register on the same metadata with the rest, so the
# migrations and the schema check always see every table.
from app.timeline.models import TimelineEvent  # noqa: E402, F401
