"""The status comment against the GitHub emulation: cut to 65,536 characters with its marker
kept, posted again once after a maintainer deletes it, and a refusal the second time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import load_settings
from app.errors import GitHubRefused, PermanentError
from app.github import GitHubApp
from app.github_limits import BODY_LIMIT, fit
from app.status_comment import marker, upsert_status_comment
from devtools.github_api import GitHubEmulation

REPO = "octo/app"
RUN = "octo/app#1:1"


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(4242, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hi\n"})
        emulation.install([REPO])
        emulation.open_issue(REPO, "Bug", "It breaks", author="octo")
        yield emulation


def fixer(github: GitHubEmulation, key: str) -> GitHubApp:
    settings = load_settings(
        github_app_id=4242,
        github_app_private_key=key,
        github_webhook_secret="secret",
        github_api_url=github.api_url,
    )
    return GitHubApp(settings)


def test_fit_cuts_at_a_line_closes_the_fence_and_keeps_the_marker() -> None:
    text = "```\n" + "\n".join(f"line {i}" for i in range(20000))
    cut = fit(text, url="http://fixer/runs/x", keep_tail="\n\n<!-- m -->")
    assert len(cut) <= BODY_LIMIT and cut.endswith("<!-- m -->")
    assert "the full text is on [the run page](http://fixer/runs/x)" in cut
    assert cut.count("```") % 2 == 0
    assert fit("short", keep_tail="!") == "short!"


async def test_long_comment_fits_and_a_deleted_one_comes_back_once(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    app = fixer(github, app_key[0])
    [installation] = github.state.installations
    huge = "plan line\n" * 10000
    first = await upsert_status_comment(app, installation, REPO, 1, RUN, huge, more_url="http://f")
    body = github.state.comments[first["id"]].body
    assert len(body) <= BODY_LIMIT and body.endswith(marker(RUN))

    del github.state.comments[first["id"]]
    again = await upsert_status_comment(app, installation, REPO, 1, RUN, "hi", first["id"])
    assert again["recreated"] and again["id"] != first["id"]
    assert [c.body for c in github.state.comments.values()] == [f"hi\n\n{marker(RUN)}"]

    del github.state.comments[again["id"]]
    with pytest.raises(GitHubRefused) as refused:
        await upsert_status_comment(
            app, installation, REPO, 1, RUN, "hi", again["id"], recreate=False
        )
    assert isinstance(refused.value, PermanentError) and "deleted again" in str(refused.value)
    assert github.state.comments == {}
