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
    ``review:<id>``, ``check_suite:<id>``. A GitHub Actions failure arrives twice, as
    ``check_suite.completed`` and ``workflow_run.completed``: both are keyed by the suite
    (``check_suite:<check_suite_id>``), so whichever comes second stores nothing new."""
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
    """The comment, review or check suite id named in ``key``."""
    head_sha: str = ""
    """For checks: the commit that was checked (only the PR's current head counts)."""
    command: bool = False
    """A ``/fix`` command (``text`` holds its instructions); otherwise a comment or review
    counts only when it mentions this App's bot (see :func:`addressed_to`)."""
    mentions: list[str] = []
    """``@logins`` the comment or review body names, lower-cased, ``[bot]`` kept as written.
    Ingress cannot know the App's slug without calling GitHub, so any mention passes there
    and the round checks with :func:`addressed_to` that one of them is this App's bot."""
    review_state: str = ""
    """For reviews: ``changes_requested`` or ``commented`` (as the webhook writes it)."""
    workflow_run_id: int | None = None
    """For checks reported by ``workflow_run.completed``: that run (its jobs have the logs)."""


class PullClosed(BaseModel):
    """``pull_request.closed`` on a Fixer branch: the lineage of that PR ends (merged or not);
    a follow-up in flight is cancelled and nothing more is pushed."""

    repo_full_name: str
    repo_id: int
    installation_id: int
    pr_number: int
    head_ref: str
    merged: bool = False
    actor: str = ""


FAILING_CONCLUSIONS = frozenset({"failure", "timed_out", "action_required", "startup_failure"})
"""Check suite, check run and workflow run conclusions that ask for a fix. Of GitHub's list
(action_required, cancelled, timed_out, failure, neutral, skipped, stale, startup_failure,
success: https://docs.github.com/en/rest/guides/using-the-rest-api-to-interact-with-checks),
``cancelled`` is someone's choice, ``stale`` is GitHub's (a newer run replaced it), and
``neutral``/``skipped``/``success`` are not failures."""


def is_failing(conclusion: str | None) -> bool:
    """Whether a check (suite, run, job or workflow run) with this conclusion asks for a fix."""
    return (conclusion or "").lower() in FAILING_CONCLUSIONS


def addressed_to(event: FeedbackEvent, bot_login: str) -> bool:
    """Whether ``event`` asks this App (whose bot is ``bot_login``, ``<slug>[bot]``) for a
    round: a ``/fix`` command, checks, a review requesting changes, or a mention of the bot
    as ``@<slug>`` or ``@<slug>[bot]``."""
    if event.command or event.kind == "checks" or event.review_state == "changes_requested":
        return True
    slug = bot_login.lower().removesuffix("[bot]")
    return slug in {m.removesuffix("[bot]") for m in event.mentions}


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
    note: str = ""
    """Why the item is stale (or what could not be read), in words the PR can be told."""

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
