"""Review requests, labels and drafts on the emulated GitHub's pull requests, refused as
GitHub refuses them."""

from __future__ import annotations

from tests.devtools.conftest import PR_REPO, PullSite

BOT = "fixer[bot]"


def requested(site: PullSite) -> tuple[list[str], list[str]]:
    body = site.call("GET", f"/pulls/{site.number}/requested_reviewers").json()
    return [u["login"] for u in body["users"]], [t["slug"] for t in body["teams"]]


def test_review_requested_from_the_author_is_refused_and_nobody_is_asked(
    pull_site: PullSite,
) -> None:
    pull_site.github.set_permission("alice", "write")
    answer = pull_site.call(
        "POST", f"/pulls/{pull_site.number}/requested_reviewers", json={"reviewers": ["alice", BOT]}
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == "Review cannot be requested from pull request author."
    assert requested(pull_site) == ([], [])


def test_a_non_collaborator_or_a_team_without_access_refuses_the_whole_request(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    github.set_permission("alice", "write")
    github.state.user_id("stranger")  # a GitHub user with no role here
    github.add_team("octo/elsewhere", ["bob"], ["octo/other"])
    for body in ({"reviewers": ["alice", "stranger"]}, {"team_reviewers": ["elsewhere"]}):
        answer = pull_site.call("POST", f"/pulls/{pull_site.number}/requested_reviewers", json=body)
        assert answer.status_code == 422, body
        assert "not a collaborator of the octo/lib repository" in answer.json()["message"]
    assert requested(pull_site) == ([], [])


def test_users_and_teams_are_asked_once_and_a_review_answers_the_request(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    github.set_permission("alice", "read")
    github.add_team("octo/core", ["carol"], [PR_REPO])
    body = {"reviewers": ["alice"], "team_reviewers": ["core"]}
    for _ in range(2):
        answer = pull_site.call("POST", f"/pulls/{pull_site.number}/requested_reviewers", json=body)
        assert answer.status_code == 201, answer.text
    assert [u["login"] for u in answer.json()["requested_reviewers"]] == ["alice"]
    assert [t["slug"] for t in answer.json()["requested_teams"]] == ["core"]
    assert requested(pull_site) == (["alice"], ["core"])
    github.submit_review(PR_REPO, pull_site.number, "COMMENT", "Looks fine", "alice")
    assert requested(pull_site) == ([], ["core"])


def test_labels_on_a_pull_request_are_created_once_and_shown_on_the_pull(
    pull_site: PullSite,
) -> None:
    token = pull_site.token(pull_requests="write")
    for _ in range(2):
        answer = pull_site.call(
            "POST", f"/issues/{pull_site.number}/labels", token, json={"labels": ["fixer", "bot"]}
        )
        assert answer.status_code == 200, answer.text
    assert [label["name"] for label in answer.json()] == ["fixer", "bot"]
    pull = pull_site.call("GET", f"/pulls/{pull_site.number}").json()
    assert [label["name"] for label in pull["labels"]] == ["fixer", "bot"]
    read_only = pull_site.token(pull_requests="read", issues="read")
    refused = pull_site.call(
        "POST", f"/issues/{pull_site.number}/labels", read_only, json={"labels": ["x"]}
    )
    assert refused.status_code == 403


def test_draft_pull_requests_open_as_drafts_only_where_the_plan_offers_them(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    body = {"title": "Draft", "head": "fixer/issue-1", "base": "main", "draft": True}
    for allowed in (True, False):
        # One open PR per head: close the last one before opening the next.
        closed = pull_site.call("PATCH", f"/pulls/{pull_site.number}", json={"state": "closed"})
        assert closed.status_code == 200
        github.state.repos[PR_REPO].drafts_supported = allowed
        made = pull_site.call("POST", "/pulls", json=body)
        if allowed:
            assert made.status_code == 201 and made.json()["draft"] is True
            pull_site.number = made.json()["number"]
    assert made.status_code == 422
    assert "Draft pull requests are not supported" in made.text
