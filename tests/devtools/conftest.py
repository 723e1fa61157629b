"""A repository with the App installed and a pull request opened by the App's bot."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from devtools.github_api import GitHubEmulation

PR_APP_ID = 5151
PR_REPO = "octo/lib"
CALC = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b  # fixed\n"


@dataclass
class PullSite:
    github: GitHubEmulation
    key: str
    installation: int
    number: int
    head_sha: str

    def token(self, **permissions: str) -> str:
        """An installation token; with ``permissions`` narrowed to exactly those."""
        now = int(time.time())
        app_jwt = jwt.encode(
            {"iss": str(PR_APP_ID), "iat": now - 60, "exp": now + 540}, self.key, "RS256"
        )
        body: dict[str, Any] = {"permissions": permissions} if permissions else {}
        answer = httpx.post(
            f"{self.github.api_url}/app/installations/{self.installation}/access_tokens",
            json=body,
            headers={"Authorization": f"Bearer {app_jwt}"},
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])

    def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"token {token or self.token()}"}
        return httpx.request(
            method, f"{self.github.api_url}/repos/{PR_REPO}{path}", headers=headers, **kwargs
        )


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "fixer[bot]",
        "GIT_AUTHOR_EMAIL": "1+fixer[bot]@users.noreply.github.com",
        "GIT_COMMITTER_NAME": "fixer[bot]",
        "GIT_COMMITTER_EMAIL": "1+fixer[bot]@users.noreply.github.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def pull_site(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[PullSite]:
    """``octo/lib`` with ``calc.py``; the bot pushed ``fixer/issue-1`` (one changed line in
    ``calc.py``) and opened PR #1 from it."""
    with GitHubEmulation(PR_APP_ID, app_key[0], "secret", root=tmp_path / "gh") as github:
        github.create_repo(PR_REPO, files={"calc.py": CALC, "README.md": "lib\n"})
        installation = github.install([PR_REPO])
        site = PullSite(github, app_key[0], installation, 0, "")
        token = site.token()
        work = tmp_path / "work"
        url = github.git.clone_url(PR_REPO).replace("http://", f"http://x-access-token:{token}@")
        _git(tmp_path, "clone", "--quiet", url, str(work))
        (work / "calc.py").write_text(FIXED)
        _git(work, "commit", "--quiet", "-am", "Fix sub")
        _git(work, "push", "--quiet", "origin", "HEAD:refs/heads/fixer/issue-1")
        made = site.call(
            "POST", "/pulls", json={"title": "Fix sub", "head": "fixer/issue-1", "base": "main"}
        )
        assert made.status_code == 201, made.text
        site.number, site.head_sha = made.json()["number"], made.json()["head"]["sha"]
        yield site
