"""Feedback on Fixer's own pull requests (DESIGN §3-§4): which webhooks ask for a follow-up.

Pure functions of the payload, like :mod:`webhooks.triggers`: no GitHub call, no database.
:func:`feedback_event_for` answers one of three things:

- a :class:`~app.runs.feedback.FeedbackEvent` to store for the PR's next round:
  ``issue_comment.created`` on a PR with ``/fix <text>`` or an ``@mention``;
  ``pull_request_review.submitted`` requesting changes, or commenting with an ``@mention``;
  ``check_suite.completed`` / ``workflow_run.completed`` with a failing conclusion
  (:data:`~app.runs.feedback.FAILING_CONCLUSIONS`), one event per suite whichever of the
  two arrives first (both are keyed ``check_suite:<id>``);
- a :class:`~app.runs.feedback.PullClosed` for ``pull_request.closed`` (merged or not) on a
  ``fixer/`` branch: the PR's lineage ends, a round in flight is cancelled;
- :class:`~webhooks.triggers.Ignored` with the reason, for everything else.

What only GitHub or the database can say is the round's to check: that the PR is one Fixer
opened (a comment's payload does not show the PR's branch, so comments pass here with an
empty ``head_ref``), that a mention names this App's bot (``addressed_to``: ingress cannot
know the App's slug, so any ``@<login>`` passes), and that the author may write.
Comments and reviews by bots are ignored here, so Fixer's own replies never loop back.
Checks are not filtered by sender: the push that CI checked is often Fixer's own.
"""

from __future__ import annotations

import re
from typing import Any

from app.runs.feedback import FeedbackEvent, PullClosed, is_failing
from webhooks.triggers import FIX_COMMAND, Ignored

BRANCH_PREFIX = "fixer/"
# ``@login`` as GitHub links it: not inside an e-mail address or a path, letters, digits and
# single hyphens, with ``[bot]`` for an App's bot user.
MENTION = re.compile(r"(?<![\w@./-])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)")

Decision = FeedbackEvent | PullClosed | Ignored


def mentions_in(text: str) -> list[str]:
    """The ``@logins`` in ``text``, lower-cased, in order, each once."""
    found = (m.group(1).lower() for m in MENTION.finditer(text))
    return list(dict.fromkeys(found))


def feedback_event_for(event: str, payload: dict[str, Any]) -> Decision:
    """The follow-up feedback (or the PR's end) this delivery reports, or why it is none."""
    action = payload.get("action")
    if event == "issue_comment" and action == "created":
        return _from_comment(payload)
    if event == "pull_request_review" and action == "submitted":
        return _from_review(payload)
    if event == "check_suite" and action == "completed":
        return _from_checks(payload, payload.get("check_suite") or {}, suite_of_run=False)
    if event == "workflow_run" and action == "completed":
        return _from_checks(payload, payload.get("workflow_run") or {}, suite_of_run=True)
    if event == "pull_request" and action == "closed":
        return _from_closed(payload)
    return Ignored(reason=f"{event}.{action} is no pull request feedback")


def _base(payload: dict[str, Any]) -> dict[str, Any] | Ignored:
    installation = payload.get("installation") or {}
    repo = payload.get("repository") or {}
    if not installation.get("id"):
        return Ignored(reason="no installation in payload")
    if not repo.get("full_name"):
        return Ignored(reason="payload has no repository")
    return {
        "repo_full_name": repo["full_name"],
        "repo_id": repo["id"],
        "installation_id": installation["id"],
    }


def _is_bot(user: dict[str, Any]) -> bool:
    return user.get("type") == "Bot" or str(user.get("login") or "").endswith("[bot]")


def _fixer_branch(pull: dict[str, Any]) -> str | None:
    ref = str((pull.get("head") or {}).get("ref") or "")
    return ref if ref.startswith(BRANCH_PREFIX) else None


def _from_comment(payload: dict[str, Any]) -> Decision:
    issue = payload.get("issue") or {}
    comment = payload.get("comment") or {}
    if not issue.get("pull_request"):
        return Ignored(reason="comment is on an issue, not a pull request")
    if _is_bot(comment.get("user") or {}):
        return Ignored(reason="comment author is a bot")
    body = str(comment.get("body") or "")
    command = FIX_COMMAND.match(body)
    mentions = mentions_in(body)
    if command is None and not mentions:
        return Ignored(reason="pull request comment is neither /fix nor a mention")
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    if issue.get("state") == "closed":
        return Ignored(reason="pull request is closed")
    return FeedbackEvent(
        **base,
        key=f"comment:{comment['id']}",
        kind="comment",
        pr_number=issue["number"],
        head_ref="",  # an issue_comment does not show the PR's branch: the round checks it
        actor=comment["user"]["login"],
        text=(command.group("instructions") or "").strip() if command else body,
        source_id=comment["id"],
        command=command is not None,
        mentions=mentions,
    )


def _from_review(payload: dict[str, Any]) -> Decision:
    review = payload.get("review") or {}
    pull = payload.get("pull_request") or {}
    state = str(review.get("state") or "").lower()
    body = str(review.get("body") or "")
    mentions = mentions_in(body)
    if state not in ("changes_requested", "commented"):
        return Ignored(reason=f"review is {state or 'without a state'}")
    if state == "commented" and not mentions:
        return Ignored(reason="comment review mentions nobody")
    if _is_bot(review.get("user") or {}):
        return Ignored(reason="review author is a bot")
    branch = _fixer_branch(pull)
    if branch is None:
        return Ignored(reason="pull request is not on a fixer/ branch")
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    if pull.get("state") == "closed":
        return Ignored(reason="pull request is closed")
    return FeedbackEvent(
        **base,
        key=f"review:{review['id']}",
        kind="review",
        pr_number=pull["number"],
        head_ref=branch,
        actor=review["user"]["login"],
        text=body,
        source_id=review["id"],
        head_sha=str(review.get("commit_id") or ""),
        mentions=mentions,
        review_state=state,
    )


def _from_checks(
    payload: dict[str, Any], checked: dict[str, Any], *, suite_of_run: bool
) -> Decision:
    """A failing suite or workflow run, for the first Fixer PR among its ``pull_requests``
    (GitHub lists the open PRs whose head is the checked commit on that branch)."""
    conclusion = checked.get("conclusion")
    if not is_failing(conclusion):
        return Ignored(reason=f"checks concluded {conclusion or 'nothing'}")
    pulls = [p for p in checked.get("pull_requests") or [] if _fixer_branch(p)]
    if not pulls:
        return Ignored(reason="checks are on no pull request of a fixer/ branch")
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    suite_id = checked["check_suite_id"] if suite_of_run else checked["id"]
    return FeedbackEvent(
        **base,
        key=f"check_suite:{suite_id}",
        kind="checks",
        pr_number=pulls[0]["number"],
        head_ref=pulls[0]["head"]["ref"],
        source_id=suite_id,
        head_sha=str(checked.get("head_sha") or ""),
        workflow_run_id=checked["id"] if suite_of_run else None,
    )


def _from_closed(payload: dict[str, Any]) -> Decision:
    pull = payload.get("pull_request") or {}
    branch = _fixer_branch(pull)
    if branch is None:
        return Ignored(reason="closed pull request is not on a fixer/ branch")
    base = _base(payload)
    if isinstance(base, Ignored):
        return base
    return PullClosed(
        **base,
        pr_number=pull["number"],
        head_ref=branch,
        merged=bool(pull.get("merged")),
        actor=str((payload.get("sender") or {}).get("login") or ""),
    )
