"""The delivery sweep against the emulated delivery log: what it asks GitHub to redeliver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import Settings, load_settings
from app.db import dispose_engines, migrate
from app.delivery_recovery import MAX_REDELIVERIES, DeliveryRecovery, delivery_views
from app.github import GitHubApp
from devtools.github_api import GitHubEmulation
from tests.conftest import wait_for
from webhooks.deliveries import record_delivery

APP_ID = 4242
REPO = "octo/app"


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n"})
        emulation.install([REPO])
        emulation.webhook_url = "http://127.0.0.1:9/github/webhook"
        emulation.webhooks.unreachable = True  # Fixer is down for the whole test
        yield emulation


@pytest.fixture
def settings(
    tmp_path: Path, app_key: tuple[str, str], github: GitHubEmulation
) -> Iterator[Settings]:
    found = load_settings(
        database_url=f"sqlite:///{tmp_path}/fixer.db",
        github_app_id=APP_ID,
        github_app_private_key=app_key[0],
        github_webhook_secret="secret",
        github_api_url=github.api_url,
    )
    migrate(found.database_url)
    yield found
    dispose_engines()


def recovery(settings: Settings) -> DeliveryRecovery:
    return DeliveryRecovery(GitHubApp(settings), settings.database_url)


def attempts(github: GitHubEmulation, guid: str) -> int:
    with github.state.lock:
        return sum(1 for d in github.state.deliveries if d.id == guid)


async def test_a_delivery_that_keeps_failing_is_asked_for_a_bounded_number_of_times(
    github: GitHubEmulation, settings: Settings
) -> None:
    github.open_issue(REPO, "Bug", None, author="octo")
    guid = github.state.deliveries[-1].id
    sweep = recovery(settings)
    for tries in range(1, MAX_REDELIVERIES + 1):
        assert await sweep.sweep() == [guid]
        wait_for(lambda n=tries: attempts(github, guid) == n + 1)
    assert await sweep.sweep() == []
    assert await recovery(settings).sweep() == []  # a fresh process counts GitHub's log
    assert attempts(github, guid) == MAX_REDELIVERIES + 1


async def test_a_delivery_in_the_last_half_hour_of_the_redelivery_window_is_left_alone(
    github: GitHubEmulation, settings: Settings
) -> None:
    github.open_issue(REPO, "Bug", None, author="octo")
    github.state.deliveries[-1].delivered_at = datetime.now(UTC) - timedelta(days=3, minutes=-10)
    assert await recovery(settings).sweep() == []


async def test_only_deliveries_fixer_never_handled_or_could_not_start_are_asked_for(
    github: GitHubEmulation, settings: Settings
) -> None:
    for n in range(3):
        github.open_issue(REPO, f"Bug {n}", None, author="octo")
    started, errored, unknown = (d.id for d in github.state.deliveries[-3:])
    record_delivery(settings.database_url, started, "issues", "opened", "started:octo/app#1:1")
    record_delivery(settings.database_url, errored, "issues", "opened", "error:Boom: no db")
    assert sorted(await recovery(settings).sweep()) == sorted([errored, unknown])


async def test_the_whole_log_is_read_across_cursor_pages(
    github: GitHubEmulation, settings: Settings
) -> None:
    for _ in range(105):
        github.deliver("ping", {"zen": "Design for failure.", "hook_id": 1})
    views = await delivery_views(GitHubApp(settings), settings.database_url)
    assert len(views) == 105
    assert all(v.missed() == "never reached Fixer" for v in views)
    assert [v.latest.status_code for v in views[:1]] == [0]


async def test_one_refused_redelivery_does_not_hold_back_the_others(
    github: GitHubEmulation, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import delivery_recovery

    github.open_issue(REPO, "First", None, author="octo")
    github.open_issue(REPO, "Second", None, author="octo")
    first, second = (d.id for d in github.state.deliveries[-2:])
    real = delivery_recovery.ask_redelivery
    refused: list[str] = []

    async def flaky(gh: GitHubApp, view: delivery_recovery.DeliveryView) -> None:
        if view.guid == first and not refused:
            refused.append(view.guid)
            raise RuntimeError("502 Bad Gateway")
        await real(gh, view)

    monkeypatch.setattr(delivery_recovery, "ask_redelivery", flaky)
    sweep = recovery(settings)
    with pytest.raises(RuntimeError):
        await sweep.sweep()  # raised after asking for the rest, so the loop retries soon
    wait_for(lambda: attempts(github, second) == 2)
    assert attempts(github, first) == 1
    # Fixer is still down, so the second is missed again too; the first is asked for now.
    assert first in await sweep.sweep()
    wait_for(lambda: attempts(github, first) == 2)
