"""Assignment, closing, merging and human pushes on the emulated GitHub."""

from __future__ import annotations

import pytest

from tests.devtools.conftest import CALC, PullSite

BOT = "fixer[bot]"


def test_the_apps_bot_is_assignable_where_installed_and_a_stranger_is_not(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    issue = github.open_issue("octo/lib", "Bug", "sub is wrong", "octo")["number"]
    assert pull_site.call("GET", f"/assignees/{BOT}").status_code == 204
    assert pull_site.call("GET", "/assignees/octo").status_code == 204
    assert pull_site.call("GET", "/assignees/stranger").status_code == 404
    # Someone who commented on the issue may be assigned to it (and only to it).
    github.comment("octo/lib", issue, "Me too", "stranger")
    assert pull_site.call("GET", f"/issues/{issue}/assignees/stranger").status_code == 204
    assert pull_site.call("GET", "/assignees/stranger").status_code == 404
    assert (
        pull_site.call("GET", f"/assignees/{BOT}", pull_site.token(contents="read")).status_code
        == 403
    )


def test_adding_assignees_drops_who_cannot_be_assigned(pull_site: PullSite) -> None:
    issue = pull_site.github.open_issue("octo/lib", "Bug", "x", "octo")["number"]
    path = f"/issues/{issue}/assignees"
    read = pull_site.token(issues="read")
    assert pull_site.call("POST", path, read, json={"assignees": [BOT]}).status_code == 403
    added = pull_site.call("POST", path, json={"assignees": ["nobody", BOT]})
    assert added.status_code == 201
    assert [a["login"] for a in added.json()["assignees"]] == [BOT]
    assert added.json()["assignee"]["type"] == "Bot"
    assert pull_site.call("POST", path, json={"assignees": "x"}).status_code == 422
    removed = pull_site.call("DELETE", path, json={"assignees": [BOT]})
    assert (removed.status_code, removed.json()["assignees"]) == (200, [])


def test_assigning_sends_issues_assigned_from_the_assigner(pull_site: PullSite) -> None:
    github = pull_site.github
    github.set_permission("triager", "triage")
    issue = github.open_issue("octo/lib", "Bug", "x", "octo")["number"]
    with github.webhooks.held() as sent:
        github.assign("octo/lib", issue, BOT, by="triager")
    [(event, payload)] = sent
    assert (event, payload["action"]) == ("issues", "assigned")
    assert (payload["assignee"]["login"], payload["assignee"]["type"]) == (BOT, "Bot")
    assert payload["sender"]["login"] == "triager"
    assert [a["login"] for a in payload["issue"]["assignees"]] == [BOT]
    assert payload["installation"]["id"] == pull_site.installation


def test_read_only_people_cannot_assign_and_outsiders_cannot_be_assigned(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    github.set_permission("reader", "read")
    issue = github.open_issue("octo/lib", "Bug", "x", "octo")["number"]
    with pytest.raises(ValueError, match="triage"):
        github.assign("octo/lib", issue, BOT, by="reader")
    with pytest.raises(ValueError, match="cannot be assigned"):
        github.assign("octo/lib", issue, "outsider", by="octo")


def test_merging_sends_closed_with_merged_true_and_moves_the_base(pull_site: PullSite) -> None:
    github = pull_site.github
    with github.webhooks.held() as sent:
        github.merge_pull("octo/lib", pull_site.number, by="octo")
    [(event, payload)] = sent
    pull = payload["pull_request"]
    assert (event, payload["action"], pull["merged"], pull["state"]) == (
        "pull_request", "closed", True, "closed",
    )  # fmt: skip
    assert github.branch_head("octo/lib", "main") == pull["merge_commit_sha"]
    assert github.file_at("octo/lib", "main", "calc.py") != CALC
    with pytest.raises(ValueError, match="already closed"):
        github.close_pull("octo/lib", pull_site.number, by="octo")


def test_closing_without_merging_sends_merged_false(pull_site: PullSite) -> None:
    with pull_site.github.webhooks.held() as sent:
        pull_site.github.close_pull("octo/lib", pull_site.number, by="octo")
    pull = sent[0][1]["pull_request"]
    assert (pull["merged"], pull["merge_commit_sha"], pull["state"]) == (False, None, "closed")
    assert pull_site.github.file_at("octo/lib", "main", "calc.py") == CALC


def test_a_human_push_to_the_branch_moves_the_head_and_sends_synchronize(
    pull_site: PullSite,
) -> None:
    github = pull_site.github
    with github.webhooks.held() as sent:
        after = github.push_to_branch("octo/lib", "fixer/issue-1", {"NOTES.md": "hi\n"}, "octo")
    [(event, payload)] = sent
    assert (event, payload["action"]) == ("pull_request", "synchronize")
    assert (payload["before"], payload["after"]) == (pull_site.head_sha, after)
    assert payload["pull_request"]["head"]["sha"] == after
    assert pull_site.call("GET", f"/pulls/{pull_site.number}").json()["head"]["sha"] == after
