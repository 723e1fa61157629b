"""The GitHub emulation, driven by Fixer's real GitHubApp (githubkit over httpx) and real git."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from githubkit.exception import RequestFailed

from app.config import load_settings
from app.github import COMMENT, PUSH_AND_PR, READ_CONTENTS, GitHubApp
from app.setup_manifest import exchange_code
from app.status_comment import marker, upsert_status_comment
from devtools.github_api import GitHubEmulation
from webhooks.signature import signature_is_valid

APP_ID = 4242
SECRET = "emulated-webhook-secret"
REPO, OTHER = "octo/app", "octo/other"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], SECRET, root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n", "src/calc.py": "x = 1\n"})
        emulation.create_repo(OTHER, files={"secret.txt": "no\n"})
        yield emulation


@pytest.fixture
def installation(github: GitHubEmulation) -> int:
    return github.install([REPO, OTHER])


def fixer_app(github: GitHubEmulation, private_pem: str) -> GitHubApp:
    settings = load_settings(
        github_app_id=APP_ID,
        github_app_private_key=private_pem,
        github_webhook_secret=SECRET,
        github_api_url=github.api_url,
    )
    return GitHubApp(settings)


def mint(github: GitHubEmulation, key: str, installation: int, **body: Any) -> httpx.Response:
    now = int(time.time())
    token = jwt.encode({"iss": str(APP_ID), "iat": now - 60, "exp": now + 540}, key, "RS256")
    return httpx.post(
        f"{github.api_url}/app/installations/{installation}/access_tokens",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )


def authed(url: str, token: str) -> str:
    return url.replace("http://", f"http://x-access-token:{token}@")


def push_branch(
    github: GitHubEmulation, key: str, installation: int, tmp: Path, branch: str
) -> str:
    token = mint(
        github, key, installation, repositories=["app"], permissions={"contents": "write"}
    ).json()["token"]
    work = tmp / branch
    assert git(tmp, "clone", authed(github.git.clone_url(REPO), token), str(work)).returncode == 0
    (work / "fix.txt").write_text("fixed\n")
    git(work, "add", "fix.txt")
    git(work, "commit", "-m", "fix")
    assert git(work, "push", "origin", f"HEAD:refs/heads/{branch}").returncode == 0
    return git(work, "rev-parse", "HEAD").stdout.strip()


async def test_jwt_signed_with_another_key_is_refused(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    assert (await fixer_app(github, app_key[0]).authenticated_app())["id"] == APP_ID
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    with pytest.raises(RequestFailed) as refused:
        await fixer_app(github, stranger.decode()).authenticated_app()
    assert refused.value.response.status_code == 401


async def test_token_for_one_repo_cannot_read_another(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    fixer = fixer_app(github, app_key[0])
    assert await fixer.read_file(installation, REPO, "src/calc.py") == "x = 1\n"
    scoped = fixer.for_repo(installation, REPO, READ_CONTENTS)
    with pytest.raises(RequestFailed) as hidden:
        await scoped.arequest("GET", f"/repos/{OTHER}/contents/secret.txt")
    assert hidden.value.response.status_code == 404
    minted = github.state.tokens.values()
    assert [(sorted(t.repos), t.permissions) for t in minted] == [([REPO], READ_CONTENTS)]


async def test_minting_refuses_foreign_repositories_and_wider_permissions(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    github.create_repo("octo/not-installed")
    foreign = mint(github, app_key[0], installation, repositories=["not-installed"])
    wider = mint(github, app_key[0], installation, permissions={"administration": "write"})
    assert (foreign.status_code, wider.status_code) == (422, 422)
    assert set(foreign.json()) == {"message", "documentation_url"}
    whole = mint(github, app_key[0], installation).json()
    assert whole["repository_selection"] == "selected"
    assert [r["full_name"] for r in whole["repositories"]] == [REPO, OTHER]


def test_read_token_clones_but_cannot_push(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int, tmp_path: Path
) -> None:
    read = mint(github, app_key[0], installation, repositories=["app"], permissions=READ_CONTENTS)
    token = read.json()["token"]
    work = tmp_path / "clone"
    assert (
        git(tmp_path, "clone", authed(github.git.clone_url(REPO), token), str(work)).returncode == 0
    )
    assert (work / "README.md").read_text() == "hello\n"
    assert git(work, "log", "-1", "--format=%an").stdout.strip() == "Sample Dev"
    git(work, "commit", "--allow-empty", "-m", "sneaky")
    pushed = git(work, "push", "origin", "HEAD:refs/heads/sneaky")
    assert pushed.returncode != 0 and "403" in pushed.stderr
    assert github.branch_head(REPO, "sneaky") is None


async def test_token_without_issues_write_cannot_comment(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")
    reader = fixer_app(github, app_key[0]).for_repo(installation, REPO, READ_CONTENTS)
    with pytest.raises(RequestFailed) as refused:
        await reader.arequest(
            "POST", f"/repos/{REPO}/issues/{issue['number']}/comments", json={"body": "hi"}
        )
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()["message"] == "Resource not accessible by integration"
    assert github.state.comments == {}


async def test_status_comment_upsert_lands_once(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    fixer = fixer_app(github, app_key[0])
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    first = await upsert_status_comment(fixer, installation, REPO, issue, "run-1", "On it")
    again = await upsert_status_comment(fixer, installation, REPO, issue, "run-1", "Planning")
    assert first["id"] == again["id"] > 2**31
    [comment] = github.state.comments_on(REPO, issue)
    assert comment.body == f"Planning\n\n{marker('run-1')}"
    assert comment.author == "fixer[bot]"
    assert first["html_url"].endswith(f"/{REPO}/issues/{issue}#issuecomment-{first['id']}")


async def test_contents_come_from_the_real_repository(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int, tmp_path: Path
) -> None:
    fixer = fixer_app(github, app_key[0])
    assert await fixer.read_file(installation, REPO, "missing.txt") is None
    assert await fixer.read_file(installation, REPO, "fix.txt", ref="fixer/issue-1") is None
    push_branch(github, app_key[0], installation, tmp_path, "fixer/issue-1")
    assert await fixer.read_file(installation, REPO, "fix.txt", ref="fixer/issue-1") == "fixed\n"
    assert github.file_at(REPO, "fixer/issue-1", "fix.txt") == "fixed\n"
    assert await fixer.read_file(installation, REPO, "fix.txt") is None


async def test_pull_request_is_found_by_head_and_not_made_twice(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int, tmp_path: Path
) -> None:
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    sha = push_branch(github, app_key[0], installation, tmp_path, "fixer/issue-1")
    gh = fixer_app(github, app_key[0]).for_repo(installation, REPO, PUSH_AND_PR)
    new = {"title": "Fix", "head": "fixer/issue-1", "base": "main", "body": f"Fixes #{issue}"}
    made = (await gh.arequest("POST", f"/repos/{REPO}/pulls", json=new)).json()
    assert (made["number"], made["head"], made["base"]["ref"]) == (
        issue + 1,
        {**made["head"], "ref": "fixer/issue-1", "sha": sha},
        "main",
    )
    found = await gh.arequest("GET", f"/repos/{REPO}/pulls", params={"head": "octo:fixer/issue-1"})
    assert [p["number"] for p in found.json()] == [made["number"]]
    with pytest.raises(RequestFailed) as duplicate:
        await gh.arequest("POST", f"/repos/{REPO}/pulls", json=new)
    assert duplicate.value.response.status_code == 422
    assert "already exists" in duplicate.value.response.json()["errors"][0]["message"]
    with pytest.raises(RequestFailed) as no_branch:
        await gh.arequest("POST", f"/repos/{REPO}/pulls", json={**new, "head": "nope"})
    assert no_branch.value.response.status_code == 422
    as_issue = await gh.arequest("GET", f"/repos/{REPO}/pulls/{made['number']}")
    assert as_issue.json()["html_url"].endswith(f"/{REPO}/pull/{made['number']}")


class _Receiver(BaseHTTPRequestHandler):
    got: list[tuple[dict[str, str], bytes]]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.got.append((dict(self.headers.items()), body))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("R", (_Receiver,), {"got": got}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/github/webhook", got
    server.shutdown()
    server.server_close()


def test_webhooks_are_signed_and_carry_the_installation(
    github: GitHubEmulation,
    installation: int,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    github.webhook_url, got = receiver
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo", association="OWNER")
    github.comment(REPO, issue["number"], "/fix please", author="octo")
    github.add_label(REPO, issue["number"], "fixer", author="octo")
    events = [(h["X-GitHub-Event"], json.loads(b)["action"]) for h, b in got]
    assert events == [("issues", "opened"), ("issue_comment", "created"), ("issues", "labeled")]
    for headers, body in got:
        assert signature_is_valid(SECRET, body, headers["X-Hub-Signature-256"])
        assert headers["User-Agent"].startswith("GitHub-Hookshot/")
        payload = json.loads(body)
        assert payload["installation"]["id"] == installation
        assert payload["repository"]["full_name"] == REPO
        assert payload["sender"]["login"] == "octo"
    assert json.loads(got[0][1])["issue"]["author_association"] == "OWNER"
    assert [d.status for d in github.state.deliveries] == [202, 202, 202]
    assert len({d.id for d in github.state.deliveries}) == 3


async def test_post_failing_after_its_side_effect_leaves_the_comment(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    fixer = fixer_app(github, app_key[0])
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    github.faults.only = r"^POST .*/comments$"
    github.faults.fail_next_after = 1
    with pytest.raises(RequestFailed) as lost:
        await upsert_status_comment(fixer, installation, REPO, issue, "run-9", "On it")
    assert lost.value.response.status_code == 502
    assert len(github.state.comments_on(REPO, issue)) == 1
    await upsert_status_comment(fixer, installation, REPO, issue, "run-9", "On it")
    assert len(github.state.comments_on(REPO, issue)) == 1


async def test_failing_before_the_call_does_nothing(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    gh = fixer_app(github, app_key[0]).for_repo(installation, REPO, COMMENT)
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    await gh.arequest("GET", f"/repos/{REPO}/issues/{issue}")  # the token is minted first
    github.faults.fail_rate = 1.0
    with pytest.raises(RequestFailed):
        await gh.arequest("POST", f"/repos/{REPO}/issues/{issue}/comments", json={"body": "x"})
    assert github.state.comments == {}
    assert github.state.requests[-1] == ("POST", f"/repos/{REPO}/issues/{issue}/comments", 502)


async def test_collaborator_roles_reactions_and_labels(
    github: GitHubEmulation, app_key: tuple[str, str], installation: int
) -> None:
    fixer = fixer_app(github, app_key[0])
    github.set_permission("maintainer", "maintain")
    assert await fixer.permission_of(installation, REPO, "maintainer") == "write"
    assert await fixer.permission_of(installation, REPO, "octo") == "admin"
    assert await fixer.permission_of(installation, REPO, "passerby") == "none"
    gh = fixer.for_repo(installation, REPO, COMMENT)
    issue = github.open_issue(REPO, "Bug", "It breaks", author="octo")["number"]
    eyes = {"content": "eyes"}
    first = await gh.arequest("POST", f"/repos/{REPO}/issues/{issue}/reactions", json=eyes)
    second = await gh.arequest("POST", f"/repos/{REPO}/issues/{issue}/reactions", json=eyes)
    assert (first.status_code, second.status_code) == (201, 200)
    labels = await gh.arequest(
        "POST", f"/repos/{REPO}/issues/{issue}/labels", json={"labels": ["fixer"]}
    )
    assert [label["name"] for label in labels.json()] == ["fixer"]


async def test_manifest_code_converts_once(github: GitHubEmulation) -> None:
    github.register_manifest_code("code-1")
    conversion = await exchange_code(github.api_url, "code-1")
    assert (conversion["id"], conversion["webhook_secret"]) == (APP_ID, SECRET)
    assert "PRIVATE KEY" in conversion["pem"]
    with pytest.raises(RequestFailed) as spent:
        await exchange_code(github.api_url, "code-1")
    assert spent.value.response.status_code == 404
