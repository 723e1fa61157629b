"""GitHub calls do not rebuild TLS trust per request: githubkit opens an httpx client per
call, and each one used to load the CA bundle again on the event loop (~20 ms a call, the
largest cost of the service's own in a run, which every agent loop of the process waited on)."""

from __future__ import annotations

import ssl
from pathlib import Path

from app.config import load_settings
from app.github import READ_CONTENTS, GitHubApp
from devtools.github_api import GitHubEmulation

REPO = "octo/app"


async def test_github_calls_share_one_tls_context_and_still_read_files(
    tmp_path: Path, app_key: tuple[str, str]
) -> None:
    with GitHubEmulation(4242, app_key[0], "secret", root=tmp_path / "gh") as github:
        github.create_repo(REPO, files={"README.md": "hello\n"})
        installation = github.install([REPO])
        app = GitHubApp(
            load_settings(
                github_app_id=4242,
                github_app_private_key=app_key[0],
                github_webhook_secret="secret",
                github_api_url=github.api_url,
            )
        )
        contexts = {
            id(client.config.ssl_verify)
            for client in (app.app, app.for_repo(installation, REPO, READ_CONTENTS))
        }
        assert len(contexts) == 1
        assert isinstance(app.app.config.ssl_verify, ssl.SSLContext)
        assert await app.read_file(installation, REPO, "README.md") == "hello\n"
