"""Pull request reviews and review comments: the REST routes and their JSON shapes.

Shapes follow octokit/webhooks' ``pull_request_review.submitted`` and
``pull_request_review_comment.created`` examples (tests/fixtures/github_webhooks). Reading
needs the token's ``pull_requests: read``, writing ``pull_requests: write``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access, validation_failed
from devtools.github_diff import anchor
from devtools.github_pr_data import REVIEW_STATES, Review, ReviewComment
from devtools.github_repos import page_of
from devtools.github_review_requests import review_given
from devtools.github_state import PullRequest, Site

Reply = tuple[int, Any]
Json = dict[str, Any]


def review_json(site: Site, review: Review, *, webhook: bool = False) -> Json:
    """The REST shape (``state`` in capitals: ``CHANGES_REQUESTED``); a webhook's review says
    ``changes_requested`` (octokit/webhooks' ``pull_request_review.submitted`` example)."""
    pull_api = f"{site.api_url}/repos/{review.repo}/pulls/{review.pull}"
    html = f"{site.web_url}/{review.repo}/pull/{review.pull}#pullrequestreview-{review.id}"
    return {
        "id": review.id,
        "node_id": objects.node_id("PullRequestReview", review.id),
        "user": objects.user(site, review.author),
        "body": review.body or None,
        "commit_id": review.commit_id,
        "submitted_at": review.submitted_at,
        "state": review.state.lower() if webhook else review.state,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": review.association,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_api}},
    }


def comment_json(site: Site, item: ReviewComment) -> Json:
    api = f"{site.api_url}/repos/{item.repo}/pulls/comments/{item.id}"
    pull_api = f"{site.api_url}/repos/{item.repo}/pulls/{item.pull}"
    html = f"{site.web_url}/{item.repo}/pull/{item.pull}#discussion_r{item.id}"
    body: Json = {
        "url": api,
        "pull_request_review_id": item.review_id,
        "id": item.id,
        "node_id": objects.node_id("PullRequestReviewComment", item.id),
        "diff_hunk": item.diff_hunk,
        "path": item.path,
        "position": item.position,
        "original_position": item.position,
        "commit_id": item.commit_id,
        "original_commit_id": item.commit_id,
        "user": objects.user(site, item.author),
        "body": item.body,
        "created_at": item.created_at,
        "updated_at": item.created_at,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": item.association,
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "pull_request": {"href": pull_api},
        },
        "start_line": item.start_line,
        "original_start_line": item.start_line,
        "start_side": item.side if item.start_line is not None else None,
        "line": item.line,
        "original_line": item.line,
        "side": item.side,
    }
    if item.in_reply_to is not None:
        body["in_reply_to_id"] = item.in_reply_to
    return body


def pull_of(call: Call, level: str) -> PullRequest:
    repo = repo_access(call, "pull_requests", level)
    found = call.site.state.pulls.get((repo.full_name, int(call.args[2])))
    if found is None:
        raise ApiError(404, "Not Found")
    return found


def new_comment(
    site: Site, pull: PullRequest, review_id: int, author: str, spec: Json
) -> ReviewComment:
    """A review comment from the request's (or a person's) ``spec``; 422 off the diff.

    ``line``/``side`` (and ``start_line`` for a range) anchor it
    (https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request).
    """
    path, text, line = spec.get("path"), spec.get("body"), spec.get("line")
    side = spec.get("side") or "RIGHT"
    if not isinstance(text, str) or not text:
        raise validation_failed(
            resource="PullRequestReviewComment", code="missing_field", field="body"
        )
    if not isinstance(path, str) or not isinstance(line, int) or side not in ("LEFT", "RIGHT"):
        raise validation_failed(resource="PullRequestReviewComment", code="invalid", field="line")
    start = spec.get("start_line")
    if start is not None and (not isinstance(start, int) or start >= line):
        # "start_line must precede the end line" (GitHub's message for a reversed range).
        raise ApiError(422, "Validation Failed", ["start_line must precede the end line."])
    found = anchor(site, pull, path, line, side)
    if found is None or (start is not None and anchor(site, pull, path, start, side) is None):
        raise ApiError(
            422,
            "Unprocessable Entity",
            ["pull_request_review_thread.line must be part of the diff"],
        )
    comment = ReviewComment(
        id=site.state.next_id(),
        repo=pull.repo,
        pull=pull.number,
        review_id=review_id,
        author=author,
        association=site.state.association_of(pull.repo, author),
        body=text,
        path=path,
        line=line,
        start_line=start,
        side=side,
        commit_id=pull.head_sha,
        diff_hunk=found.diff_hunk,
        position=found.position,
    )
    site.state.pr.review_comments[comment.id] = comment
    return comment


def new_review(
    site: Site, pull: PullRequest, author: str, event: str, body: str, comments: list[Json]
) -> tuple[Review, list[ReviewComment]]:
    """Validate and store a submitted review, as ``POST /pulls/{n}/reviews`` does."""
    if event not in REVIEW_STATES:
        raise validation_failed(resource="PullRequestReview", code="invalid", field="event")
    if event != "APPROVE" and not body and not comments:
        # https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request:
        # "body: Required when using REQUEST_CHANGES or COMMENT for the event parameter."
        raise ApiError(422, "Unprocessable Entity", [f"Review body is required for {event}."])
    if author == pull.author and event != "COMMENT":
        what = "approve" if event == "APPROVE" else "request changes on"
        raise ApiError(422, "Unprocessable Entity", [f"Can not {what} your own pull request"])
    if pull.state != "open":
        raise ApiError(422, "Unprocessable Entity", ["Pull request is closed"])
    association = site.state.association_of(pull.repo, author)
    review = Review(
        site.state.next_id(), pull.repo, pull.number, author, association,
        REVIEW_STATES[event], body, pull.head_sha,
    )  # fmt: skip
    made = [new_comment(site, pull, review.id, author, spec) for spec in comments]
    site.state.pr.reviews[review.id] = review
    review_given(pull, author)
    return review, made


# https://docs.github.com/en/rest/pulls/reviews#list-reviews-for-a-pull-request
def list_reviews(call: Call) -> Reply:
    pull = pull_of(call, "read")
    found = [
        r
        for r in call.site.state.pr.reviews.values()
        if (r.repo, r.pull) == (pull.repo, pull.number)
    ]
    return 200, [
        review_json(call.site, r) for r in page_of(call, sorted(found, key=lambda r: r.id))
    ]


def _review_of(call: Call, pull: PullRequest) -> Review:
    review = call.site.state.pr.reviews.get(int(call.args[3]))
    if review is None or (review.repo, review.pull) != (pull.repo, pull.number):
        raise ApiError(404, "Not Found")
    return review


# https://docs.github.com/en/rest/pulls/reviews#get-a-review-for-a-pull-request
def get_review(call: Call) -> Reply:
    pull = pull_of(call, "read")
    return 200, review_json(call.site, _review_of(call, pull))


# https://docs.github.com/en/rest/pulls/reviews#list-comments-for-a-pull-request-review
def list_review_comments(call: Call) -> Reply:
    pull = pull_of(call, "read")
    review = _review_of(call, pull)
    found = [c for c in call.site.state.pr.review_comments.values() if c.review_id == review.id]
    return 200, [
        comment_json(call.site, c) for c in page_of(call, sorted(found, key=lambda c: c.id))
    ]


# https://docs.github.com/en/rest/pulls/comments#list-review-comments-on-a-pull-request
def list_pull_comments(call: Call) -> Reply:
    pull = pull_of(call, "read")
    found = [
        c for c in call.site.state.pr.review_comments.values()
        if (c.repo, c.pull) == (pull.repo, pull.number)
    ]  # fmt: skip
    return 200, [
        comment_json(call.site, c) for c in page_of(call, sorted(found, key=lambda c: c.id))
    ]


# https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request — the App
# submits at once (an ``event``); a pending review (no event) is not emulated: 422.
def create_review(call: Call) -> Reply:
    pull = pull_of(call, "write")
    body = call.body if isinstance(call.body, dict) else {}
    event = body.get("event")
    if event is None:
        raise ApiError(422, "Pending reviews are not emulated: pass event")
    if body.get("commit_id") not in (None, pull.head_sha):
        raise validation_failed(resource="PullRequestReview", code="invalid", field="commit_id")
    comments = body.get("comments") or []
    if not isinstance(comments, list):
        raise validation_failed(resource="PullRequestReview", code="invalid", field="comments")
    site = call.site
    review, _ = new_review(
        site, pull, site.app.bot_login, str(event), body.get("body") or "", comments
    )
    return 200, review_json(site, review)


# https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request
def create_pull_comment(call: Call) -> Reply:
    pull = pull_of(call, "write")
    body = call.body if isinstance(call.body, dict) else {}
    if body.get("in_reply_to") is not None:
        return _reply_to(call, pull, int(body["in_reply_to"]), body.get("body"))
    if not body.get("commit_id"):
        raise validation_failed(
            resource="PullRequestReviewComment", code="missing_field", field="commit_id"
        )
    site = call.site
    review = _single_comment_review(site, pull)
    comment = new_comment(site, pull, review.id, site.app.bot_login, body)
    site.state.pr.reviews[review.id] = review
    return 201, comment_json(site, comment)


# https://docs.github.com/en/rest/pulls/comments#create-a-reply-for-a-review-comment:
# "This must be the ID of a top-level review comment, not a reply to that comment.
# Replies to replies are not supported."
def create_reply(call: Call) -> Reply:
    pull = pull_of(call, "write")
    text = call.body.get("body") if isinstance(call.body, dict) else None
    return _reply_to(call, pull, int(call.args[3]), text)


def _reply_to(call: Call, pull: PullRequest, parent_id: int, text: Any) -> Reply:
    site = call.site
    parent = site.state.pr.review_comments.get(parent_id)
    if parent is None or (parent.repo, parent.pull) != (pull.repo, pull.number):
        raise ApiError(404, "Not Found")
    if parent.in_reply_to is not None:
        raise ApiError(422, "Validation Failed", ["Replies to replies are not supported."])
    if not isinstance(text, str) or not text:
        raise validation_failed(
            resource="PullRequestReviewComment", code="missing_field", field="body"
        )
    # A reply is a one-comment review of its own (GitHub shows it as ``COMMENTED``).
    review = _single_comment_review(site, pull)
    site.state.pr.reviews[review.id] = review
    reply = replace(
        parent,
        id=site.state.next_id(),
        review_id=review.id,
        author=site.app.bot_login,
        association="NONE",
        body=text,
        in_reply_to=parent.id,
        created_at=review.submitted_at,
    )
    site.state.pr.review_comments[reply.id] = reply
    return 201, comment_json(site, reply)


def _single_comment_review(site: Site, pull: PullRequest) -> Review:
    return Review(
        site.state.next_id(), pull.repo, pull.number, site.app.bot_login, "NONE",
        "COMMENTED", "", pull.head_sha,
    )  # fmt: skip
