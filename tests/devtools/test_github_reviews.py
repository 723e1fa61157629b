"""Reviews and review comments on the emulated GitHub: webhooks, REST shapes, refusals."""

from __future__ import annotations

import pytest

from devtools.github_auth import ApiError
from tests.conftest import load_fixture
from tests.devtools.conftest import PullSite

BOT = "fixer[bot]"
CHANGED = "+    return a - b  # fixed"


def request_changes(site: PullSite) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    site.github.set_permission("reviewer", "write")
    with site.github.webhooks.held() as sent:
        site.github.submit_review(
            "octo/lib",
            site.number,
            "REQUEST_CHANGES",
            "Please keep the old behaviour",
            "reviewer",
            comments=[
                {"path": "calc.py", "line": 6, "body": "Why a comment here?"},
                {"path": "calc.py", "start_line": 5, "line": 6, "body": "Test this function"},
            ],
        )
    return list(sent)


def test_review_with_inline_comments_sends_each_comment_then_the_review(
    pull_site: PullSite,
) -> None:
    sent = request_changes(pull_site)
    assert [(event, p["action"]) for event, p in sent] == [
        ("pull_request_review_comment", "created"),
        ("pull_request_review_comment", "created"),
        ("pull_request_review", "submitted"),
    ]
    review = sent[2][1]["review"]
    assert (review["state"], review["body"]) == (
        "changes_requested",
        "Please keep the old behaviour",
    )
    assert review["commit_id"] == pull_site.head_sha
    first, ranged = (p["comment"] for _, p in sent[:2])
    assert first["pull_request_review_id"] == ranged["pull_request_review_id"] == review["id"]
    assert (first["path"], first["line"], first["start_line"], first["side"]) == (
        "calc.py",
        6,
        None,
        "RIGHT",
    )
    assert (ranged["start_line"], ranged["line"], ranged["start_side"]) == (5, 6, "RIGHT")
    # The hunk runs from its header to the commented line; position counts from the header.
    assert first["diff_hunk"].startswith("@@ -3,4 +3,4 @@") and first["diff_hunk"].endswith(CHANGED)
    assert first["position"] == 5
    for _, payload in sent:
        assert payload["pull_request"]["number"] == pull_site.number
        assert payload["pull_request"]["head"]["sha"] == pull_site.head_sha
        assert payload["sender"]["login"] == "reviewer"
        assert payload["installation"]["id"] == pull_site.installation


def test_review_webhooks_have_the_recorded_fixtures_keys(pull_site: PullSite) -> None:
    sent = request_changes(pull_site)
    recorded_comment = load_fixture(
        "github_webhooks/pull_request_review_comment__created.payload.json"
    )
    recorded_review = load_fixture("github_webhooks/pull_request_review__submitted.payload.json")
    assert set(recorded_comment["comment"]) - {"reactions"} <= set(sent[0][1]["comment"])
    assert set(recorded_review["review"]) <= set(sent[2][1]["review"])
    assert set(recorded_review) <= set(sent[2][1])


def test_a_reviews_comments_are_listed_with_pull_requests_read_only(pull_site: PullSite) -> None:
    sent = request_changes(pull_site)
    review_id = sent[2][1]["review"]["id"]
    path = f"/pulls/{pull_site.number}/reviews/{review_id}/comments"
    issues_only = pull_site.token(issues="write")
    assert pull_site.call("GET", path, issues_only).status_code == 403
    listed = pull_site.call("GET", path, pull_site.token(pull_requests="read"))
    assert listed.status_code == 200
    assert [c["body"] for c in listed.json()] == ["Why a comment here?", "Test this function"]
    reviews = pull_site.call("GET", f"/pulls/{pull_site.number}/reviews").json()
    assert [(r["state"], r["user"]["login"]) for r in reviews] == [
        ("CHANGES_REQUESTED", "reviewer")
    ]
    assert pull_site.call("GET", f"/pulls/{pull_site.number}/reviews/1/comments").status_code == 404
    assert pull_site.call("GET", f"/pulls/99/reviews/{review_id}/comments").status_code == 404
    all_comments = pull_site.call("GET", f"/pulls/{pull_site.number}/comments").json()
    assert len(all_comments) == 2


def test_a_comment_on_a_line_outside_the_diff_is_refused(pull_site: PullSite) -> None:
    pull_site.github.set_permission("reviewer", "write")
    with pytest.raises(ApiError) as refused:
        pull_site.github.submit_review(
            "octo/lib", pull_site.number, "COMMENT", "", "reviewer",
            comments=[{"path": "calc.py", "line": 2, "body": "unchanged line"}],
        )  # fmt: skip
    assert refused.value.status == 422
    made = pull_site.call(
        "POST",
        f"/pulls/{pull_site.number}/comments",
        json={"body": "x", "commit_id": pull_site.head_sha, "path": "README.md", "line": 1},
    )
    assert made.status_code == 422
    assert made.json()["errors"] == ["pull_request_review_thread.line must be part of the diff"]


def test_replies_thread_under_the_comment_and_a_reply_to_a_reply_is_refused(
    pull_site: PullSite,
) -> None:
    first = request_changes(pull_site)[0][1]["comment"]
    path = f"/pulls/{pull_site.number}/comments/{first['id']}/replies"
    read_only = pull_site.token(pull_requests="read")
    assert pull_site.call("POST", path, read_only, json={"body": "Done"}).status_code == 403
    reply = pull_site.call("POST", path, json={"body": "Done in the next commit"})
    assert reply.status_code == 201
    body = reply.json()
    assert (body["in_reply_to_id"], body["user"]["login"], body["path"]) == (
        first["id"],
        BOT,
        "calc.py",
    )
    nested = f"/pulls/{pull_site.number}/comments/{body['id']}/replies"
    assert pull_site.call("POST", nested, json={"body": "again"}).status_code == 422
    assert pull_site.call("POST", path, json={}).status_code == 422
    assert (
        pull_site.call(
            "POST", f"/pulls/{pull_site.number}/comments/7/replies", json={"body": "x"}
        ).status_code
        == 404
    )


def test_the_bot_cannot_request_changes_on_its_own_pull_request(pull_site: PullSite) -> None:
    path = f"/pulls/{pull_site.number}/reviews"
    own = pull_site.call("POST", path, json={"event": "REQUEST_CHANGES", "body": "no"})
    assert own.status_code == 422
    assert own.json()["errors"] == ["Can not request changes on your own pull request"]
    assert pull_site.call("POST", path, json={"event": "COMMENT"}).status_code == 422
    noted = pull_site.call("POST", path, json={"event": "COMMENT", "body": "Addressed"})
    assert noted.status_code == 200 and noted.json()["state"] == "COMMENTED"
    narrow = pull_site.token(pull_requests="read")
    assert (
        pull_site.call("POST", path, narrow, json={"event": "COMMENT", "body": "x"}).status_code
        == 403
    )


def test_a_comment_in_the_conversation_is_an_issue_comment_on_a_pull_request(
    pull_site: PullSite,
) -> None:
    pull_site.github.set_permission("reviewer", "write")
    with pull_site.github.webhooks.held() as sent:
        pull_site.github.comment_on_pull("octo/lib", pull_site.number, "@fixer /fix", "reviewer")
    [(event, payload)] = sent
    assert (event, payload["action"]) == ("issue_comment", "created")
    assert payload["issue"]["number"] == pull_site.number
    assert payload["issue"]["pull_request"]["url"].endswith(f"/pulls/{pull_site.number}")
    with pytest.raises(ValueError):
        pull_site.github.comment_on_pull("octo/lib", 42, "hi", "reviewer")
