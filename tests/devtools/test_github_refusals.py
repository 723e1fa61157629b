"""The GitHub emulation refuses what GitHub refuses: oversized bodies, writes to archived
repositories, and pushes that touch workflows without the permission or hit a ruleset."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from devtools.github_api import GitHubEmulation

APP_ID = 4242
REPO = "octo/app"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
TOO_LONG = "x" * 65537


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n"})
        emulation.install([REPO])
        yield emulation


def token(github: GitHubEmulation, key: str, **permissions: str) -> str:
    now = int(time.time())
    app_jwt = jwt.encode({"iss": str(APP_ID), "iat": now - 60, "exp": now + 540}, key, "RS256")
    [installation] = github.state.installations
    response = httpx.post(
        f"{github.api_url}/app/installations/{installation}/access_tokens",
        json={"repositories": ["app"], "permissions": permissions},
        headers={"Authorization": f"Bearer {app_jwt}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def api(github: GitHubEmulation, tok: str, method: str, path: str, body: Any) -> httpx.Response:
    return httpx.request(
        method, f"{github.api_url}{path}", json=body, headers={"Authorization": f"token {tok}"}
    )


def push(github: GitHubEmulation, tok: str, tmp: Path, files: dict[str, str], branch: str) -> Any:
    work = tmp / f"work-{len(list(tmp.iterdir()))}"
    url = github.git.clone_url(REPO).replace("http://", f"http://x-access-token:{tok}@")
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "clone", "-q", url, str(work)], env=env, check=True)
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    subprocess.run(["git", "add", "-A"], cwd=work, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "change"], cwd=work, env=env, check=True)
    return subprocess.run(
        ["git", "push", "origin", f"HEAD:refs/heads/{branch}"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )


def test_bodies_over_65536_characters_are_422_on_comments_and_pulls(
    github: GitHubEmulation, app_key: tuple[str, str], tmp_path: Path
) -> None:
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    tok = token(github, app_key[0], issues="write", contents="write", pull_requests="write")
    comments = f"/repos/{REPO}/issues/{issue}/comments"
    refused = api(github, tok, "POST", comments, {"body": TOO_LONG})
    assert refused.status_code == 422
    assert refused.json()["message"] == "Validation Failed"
    assert refused.json()["errors"] == [
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]
    made = api(github, tok, "POST", comments, {"body": "x" * 65536})
    assert made.status_code == 201
    edited = api(github, tok, "PATCH", f"/repos/{REPO}/issues/comments/{made.json()['id']}", {
        "body": TOO_LONG
    })  # fmt: skip
    assert edited.status_code == 422
    assert github.state.comments[made.json()["id"]].body == "x" * 65536

    assert push(github, tok, tmp_path, {"fix.txt": "fixed\n"}, "fixer/issue-1").returncode == 0
    pull = {"title": "Fix", "head": "fixer/issue-1", "base": "main", "body": TOO_LONG}
    too_long = api(github, tok, "POST", f"/repos/{REPO}/pulls", pull)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["message"] == (
        "body is too long (maximum is 65536 characters)"
    )
    assert github.state.pulls == {}
    opened = api(github, tok, "POST", f"/repos/{REPO}/pulls", {**pull, "body": "short"})
    number = opened.json()["number"]
    update = api(github, tok, "PATCH", f"/repos/{REPO}/pulls/{number}", {"body": TOO_LONG})
    assert update.status_code == 422
    assert github.state.pulls[(REPO, number)].body == "short"


def test_archived_repository_refuses_comments_and_pushes(
    github: GitHubEmulation, app_key: tuple[str, str], tmp_path: Path
) -> None:
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    tok = token(github, app_key[0], issues="write", contents="write")
    github.state.repos[REPO].archived = True
    refused = api(github, tok, "POST", f"/repos/{REPO}/issues/{issue}/comments", {"body": "hi"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Repository was archived so is read-only."
    assert api(github, tok, "GET", f"/repos/{REPO}", None).json()["archived"] is True
    pushed = push(github, tok, tmp_path, {"fix.txt": "fixed\n"}, "fixer/issue-1")
    assert pushed.returncode != 0
    assert "This repository was archived so it is read-only." in pushed.stderr
    assert "403" in pushed.stderr
    assert github.branch_head(REPO, "fixer/issue-1") is None


def test_workflow_files_need_the_workflows_permission_to_be_pushed(
    github: GitHubEmulation, app_key: tuple[str, str], tmp_path: Path
) -> None:
    workflow = {".github/workflows/ci.yml": "on: push\n"}
    plain = token(github, app_key[0], contents="write")
    refused = push(github, plain, tmp_path, workflow, "fixer/issue-1")
    assert refused.returncode != 0
    assert (
        "! [remote rejected] HEAD -> fixer/issue-1 (refusing to allow a GitHub App to create or "
        "update workflow `.github/workflows/ci.yml` without `workflows` permission)"
    ) in refused.stderr
    assert github.branch_head(REPO, "fixer/issue-1") is None
    # Other files still go through with the same token.
    assert push(github, plain, tmp_path, {"src.py": "x = 1\n"}, "fixer/issue-2").returncode == 0
    # An App granted `workflows: write` may push them.
    github.site.app.permissions["workflows"] = "write"
    allowed = token(github, app_key[0], contents="write", workflows="write")
    assert push(github, allowed, tmp_path, workflow, "fixer/issue-1").returncode == 0
    assert github.branch_head(REPO, "fixer/issue-1") is not None


def test_rulesets_and_protected_branches_decline_pushes(
    github: GitHubEmulation, app_key: tuple[str, str], tmp_path: Path
) -> None:
    tok = token(github, app_key[0], contents="write")
    github.state.repos[REPO].rulesets.append("fixer/*")
    github.state.repos[REPO].protected_branches.append("main")
    ruled = push(github, tok, tmp_path, {"fix.txt": "fixed\n"}, "fixer/issue-1")
    assert ruled.returncode != 0
    assert "GH013: Repository rule violations found for refs/heads/fixer/issue-1." in ruled.stderr
    assert "Cannot create ref due to creations being restricted." in ruled.stderr
    assert "(push declined due to repository rule violations)" in ruled.stderr
    protected = push(github, tok, tmp_path, {"fix.txt": "fixed\n"}, "main")
    assert protected.returncode != 0
    assert "GH006: Protected branch update failed for refs/heads/main." in protected.stderr
    assert "(protected branch hook declined)" in protected.stderr
    assert github.branch_head(REPO, "fixer/issue-1") is None
    assert push(github, tok, tmp_path, {"fix.txt": "ok\n"}, "other/x").returncode == 0
