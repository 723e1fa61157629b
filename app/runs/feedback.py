"""Feedback on a pull request Fixer opened: what ingress sees, and what a round is given.

Two shapes, because ingress may not call GitHub (DESIGN §3):

- :class:`FeedbackEvent` is a pure function of one webhook payload: who asked, on which
  pull request, about which review, comment or check suite. It is stored at once, keyed so
  that a redelivered webhook stores nothing new.
- :class:`FeedbackItem` is that event filled in by the round's first steps with what only
  GitHub can say: a review's inline comments with their diff hunks, the failing check runs
  with their annotations and log tails.

Everything in an item that people or CI wrote is untrusted: :func:`render` lays the batch out
as plain text, and the coder gets it inside one ``untrusted_feedback`` fence
(``agents.prompts.fence``, which defangs any tag inside it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

FeedbackKind = Literal["comment", "review", "checks"]
"""``comment``: ``/fix …`` or an @mention in the PR conversation; ``review``: a review
that requested changes (or a comment review that mentions the bot), with its inline
comments; ``checks``: failing checks on the PR's head commit."""


class FeedbackEvent(BaseModel):
    """One piece of feedback as its webhook showed it (no GitHub call behind it)."""

    key: str
    """Unique per piece of feedback, stable across redeliveries: ``comment:<id>``,
    ``review:<id>``, ``check_suite:<id>``, ``workflow_run:<id>``."""
    kind: FeedbackKind
    repo_full_name: str
    repo_id: int
    installation_id: int
    pr_number: int
    head_ref: str
    """The PR's branch (``fixer/issue-N``…): only PRs on Fixer's branches are followed."""
    actor: str = ""
    """GitHub login of whoever wrote it; empty for checks (nobody to ask about)."""
    text: str = ""
    """The comment's ``/fix`` instructions or body, or the review's body, as written."""
    source_id: int
    """The comment, review, check suite or workflow run id named in ``key``."""
    head_sha: str = ""
    """For checks: the commit that was checked (only the PR's current head counts)."""


class ReviewThread(BaseModel):
    """One inline review comment: where it points, and what it says."""

    comment_id: int
    path: str
    start_line: int | None = None
    line: int | None = None
    diff_hunk: str = ""
    body: str = ""
    author: str = ""


class CheckFailure(BaseModel):
    """One failing check run: its output, annotations and, for Actions, the log's tail."""

    name: str
    conclusion: str
    title: str = ""
    summary: str = ""
    text: str = ""
    annotations: list[str] = []
    """``path:line: level: message`` per annotation."""
    log_tail: str = ""
    details_url: str = ""


class FeedbackItem(BaseModel):
    """A :class:`FeedbackEvent` with what GitHub says about it, ready for the coder."""

    event: FeedbackEvent
    threads: list[ReviewThread] = []
    checks: list[CheckFailure] = []
    stale: bool = False
    """Nothing left to do (checks on a commit that is no longer the head, a deleted
    comment…); kept so the round can say why it skipped it."""

    @property
    def files_named(self) -> set[str]:
        return {thread.path for thread in self.threads}


def render(items: list[FeedbackItem]) -> str:
    """The batch as the coder reads it (fenced whole by the coder): threads with hunks."""
    parts: list[str] = []
    for number, item in enumerate((i for i in items if not i.stale), start=1):
        event = item.event
        who = f" by @{event.actor}" if event.actor else ""
        parts.append(f"### Feedback {number}: {event.kind}{who} ({event.key})")
        if event.text.strip():
            parts.append(event.text.strip())
        for thread in item.threads:
            lines = (
                f"{thread.start_line}-{thread.line}"
                if thread.start_line and thread.start_line != thread.line
                else str(thread.line or "?")
            )
            parts.append(f"- `{thread.path}` line {lines} (comment {thread.comment_id}):")
            if thread.diff_hunk:
                parts.append(f"```diff\n{thread.diff_hunk}\n```")
            parts.append(f"  @{thread.author}: {thread.body.strip()}")
        for check in item.checks:
            parts.append(f"- check `{check.name}`: {check.conclusion}")
            details = "\n\n".join(
                p
                for p in (check.title, check.summary, check.text, "\n".join(check.annotations))
                if p
            )
            if details:
                parts.append(details)
            if check.log_tail:
                parts.append(f"Log tail of `{check.name}`:\n```\n{check.log_tail}\n```")
    return "\n\n".join(parts)
