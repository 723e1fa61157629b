"""The GitHub emulation's people: roles and their permission answers, the associations
webhooks show, the deliveries an issue created with labels makes, and strict reactions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devtools.github_api import GitHubEmulation
from tests.devtools.test_github_api import REPO, github, installation, mint

__all__ = ["github", "installation"]


def token(github: GitHubEmulation, key: str, installation: int, **permissions: str) -> str:
    body: dict[str, Any] = {"permissions": permissions} if permissions else {}
    minted = mint(github, key, installation, **body)
    assert minted.status_code == 201, minted.text
    return str(minted.json()["token"])


def get(github: GitHubEmulation, path: str, bearer: str) -> httpx.Response:
    return httpx.get(f"{github.api_url}{path}", headers={"Authorization": f"token {bearer}"})


def test_issue_opened_with_labels_sends_opened_then_one_labeled_per_label(
    github: GitHubEmulation, installation: int
) -> None:
    github.webhook_url = "http://127.0.0.1:9/unused"
    with github.webhooks.held() as sent:
        issue = github.open_issue(REPO, "Crash", "It crashes", "octo", labels=["bug", "fixer"])
    assert [(event, p["action"], (p.get("label") or {}).get("name")) for event, p in sent] == [
        ("issues", "opened", None),
        ("issues", "labeled", "bug"),
        ("issues", "labeled", "fixer"),
    ]
    for _, payload in sent:
        # Every payload's issue already lists both labels, unchanged since its creation.
        shown = payload["issue"]
        assert [label["name"] for label in shown["labels"]] == ["bug", "fixer"]
        assert shown["updated_at"] == shown["created_at"]
        assert payload["sender"]["login"] == "octo"
    assert issue["number"] == sent[0][1]["issue"]["number"]
    # A label added later moves updated_at.
    github.state.issues[(REPO, issue["number"])].created_at = "2020-01-01T00:00:00Z"
    github.state.issues[(REPO, issue["number"])].updated_at = "2020-01-01T00:00:00Z"
    with github.webhooks.held() as later:
        github.add_label(REPO, issue["number"], "urgent", "octo")
    [(_, labeled)] = later
    assert labeled["issue"]["updated_at"] != labeled["issue"]["created_at"]


def test_permission_answers_carry_the_base_role_and_the_role_name(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    github.set_permission("keeper", "maintain")
    github.set_permission("sorter", "triage")
    github.set_permission("reader", "read")
    github.set_permission("fixer-of-things", "security-fixer", base="write")
    github.set_permission("looker", "auditor", base="read")
    github.add_org_member("quiet-member", "write")
    github.open_issue(REPO, "Seen", None, "passer-by")  # a real account, no role
    bearer = token(github, app_key[0], installation)
    expected = {
        "octo": ("admin", "admin"),
        "keeper": ("write", "maintain"),
        "sorter": ("read", "triage"),
        "reader": ("read", "read"),
        "fixer-of-things": ("write", "security-fixer"),
        "looker": ("read", "auditor"),
        "quiet-member": ("write", "write"),
        "passer-by": ("none", "none"),  # REPO is private
    }
    for login, (permission, role_name) in expected.items():
        answer = get(github, f"/repos/{REPO}/collaborators/{login}/permission", bearer)
        assert answer.status_code == 200, login
        body = answer.json()
        assert (body["permission"], body["role_name"]) == (permission, role_name), login
        assert body["user"]["login"] == login
        assert body["user"]["role_name"] == role_name
        assert body["user"]["permissions"]["push"] is (permission in ("admin", "write"))
    unknown = get(github, f"/repos/{REPO}/collaborators/no-such-person/permission", bearer)
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "no-such-person is not a user"


def test_anyone_reads_a_public_repository(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.create_repo("octo/open", files={"README.md": "hi\n"}, private=False)
    installed = github.install(["octo/open"])
    github.open_issue("octo/open", "Hello", None, "visitor")
    bearer = token(github, app_key[0], installed)
    answer = get(github, "/repos/octo/open/collaborators/visitor/permission", bearer)
    assert (answer.json()["permission"], answer.json()["role_name"]) == ("read", "read")


@pytest.mark.parametrize(
    ("setup", "association"),
    [
        (lambda gh: gh.add_org_member("quiet", "write"), "NONE"),
        (lambda gh: gh.add_org_member("quiet", "write", public=True), "MEMBER"),
        (lambda gh: gh.set_permission("quiet", "read"), "COLLABORATOR"),
        (lambda gh: None, "NONE"),
    ],
    ids=["private member", "public member", "read-only collaborator", "outsider"],
)
def test_webhooks_show_the_association_github_would(
    github: GitHubEmulation, installation: int, setup: Any, association: str
) -> None:
    setup(github)
    github.webhook_url = "http://127.0.0.1:9/unused"
    with github.webhooks.held() as sent:
        issue = github.open_issue(REPO, "Bug", None, "quiet")
        github.comment(REPO, issue["number"], "/fix", "quiet")
    assert sent[0][1]["issue"]["author_association"] == association
    assert sent[1][1]["comment"]["author_association"] == association


def test_reactions_are_created_once_need_issues_write_and_valid_content(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    number = github.open_issue(REPO, "Bug", None, "octo")["number"]
    comment = github.comment(REPO, number, "/fix", "octo")
    writer = token(github, app_key[0], installation, issues="write")
    reader = token(github, app_key[0], installation, issues="read")

    def react(path: str, content: str, bearer: str = writer) -> httpx.Response:
        return httpx.post(
            f"{github.api_url}/repos/{REPO}/{path}",
            json={"content": content},
            headers={"Authorization": f"token {bearer}"},
        )

    for path in (f"issues/{number}/reactions", f"issues/comments/{comment['id']}/reactions"):
        first, again = react(path, "eyes"), react(path, "eyes")
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["user"]["login"] == "fixer[bot]"
        assert react(path, "rocket").status_code == 201  # another content is another one
        assert react(path, "thumbsup").status_code == 422
        assert react(path, "eyes", reader).status_code == 403
    assert react("issues/999/reactions", "eyes").status_code == 404
    assert react("issues/comments/1/reactions", "eyes").status_code == 404
    assert len(github.state.reactions) == 4
