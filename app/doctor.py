"""``fixer doctor``: every credential and dependency checked, one line each, with the fix."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.config import HOW_TO_SET, Settings
from app.errors import ConfigError


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    needed: bool = True

    def line(self) -> str:
        mark = "✔" if self.ok else ("✘" if self.needed else "!")
        return f"{mark} {self.name}: {self.detail}"


async def run_checks(settings: Settings) -> list[Check]:
    checks: list[Check] = [_settings_check(settings)]
    checks.append(await asyncio.to_thread(_database_check, settings))
    docker_ok = await asyncio.to_thread(_docker_check)
    checks.append(docker_ok)
    checks.append(await asyncio.to_thread(_image_check, settings, docker_ok.ok))
    checks.append(await _guard("GitHub App", lambda: _github_check(settings)))
    checks.append(await _guard("Slack", lambda: _slack_check(settings)))
    checks.append(await _guard("model", lambda: _model_check(settings)))
    return checks


async def _guard(name: str, check: Callable[[], Awaitable[Check]]) -> Check:
    try:
        return await check()
    except ConfigError as exc:
        return Check(name, False, str(exc))
    except Exception as exc:  # the point is to report, whatever went wrong
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def _settings_check(settings: Settings) -> Check:
    missing = settings.missing("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET")
    if missing:
        return Check("settings", False, f"{missing[0]} is not set: {HOW_TO_SET[missing[0]]}")
    try:
        _ = settings.private_key_pem
    except ConfigError as exc:
        return Check("settings", False, str(exc))
    return Check("settings", True, "GitHub App credentials present")


def _database_check(settings: Settings) -> Check:
    from app.db import migrate

    try:
        migrate(settings.database_url)
    except Exception as exc:
        return Check("database", False, f"{exc.__class__.__name__}: {exc} — check DATABASE_URL")
    return Check(
        "database", True, f"{settings.database_url.split('@')[-1]} reachable, schema current"
    )


def _docker_check() -> Check:
    try:
        import docker

        client = docker.from_env(timeout=5)
        version = client.version().get("Version", "?")
        client.close()
    except Exception as exc:
        return Check(
            "docker", False, f"engine not reachable ({exc}): run `bash scripts/docker-up.sh`"
        )
    return Check("docker", True, f"engine {version}")


def _image_check(settings: Settings, docker_ok: bool) -> Check:
    image = settings.fixer_sandbox_image
    if not docker_ok:
        return Check("sandbox image", False, f"{image}: Docker is not reachable")
    import docker
    from docker.errors import ImageNotFound

    client = docker.from_env(timeout=5)
    try:
        client.images.get(image)
    except ImageNotFound:
        return Check("sandbox image", False, f"{image} is missing: run `fixer sandbox build`")
    finally:
        client.close()
    return Check("sandbox image", True, image)


async def _github_check(settings: Settings) -> Check:
    from app.github import GitHubApp

    app = await GitHubApp(settings).authenticated_app()
    return Check("GitHub App", True, f"authenticated as {app.get('slug') or app.get('name')}")


async def _slack_check(settings: Settings) -> Check:
    if not settings.slack_enabled:
        return Check(
            "Slack",
            False,
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set: Slack approvals are off "
            "— " + HOW_TO_SET["SLACK_BOT_TOKEN"],
            needed=False,
        )
    from slack_sdk.web.async_client import AsyncWebClient

    assert settings.slack_bot_token is not None
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    reply = await client.auth_test()
    if not settings.slack_approval_channel:
        return Check(
            "Slack",
            False,
            "SLACK_APPROVAL_CHANNEL is not set: " + HOW_TO_SET["SLACK_APPROVAL_CHANNEL"],
        )
    return Check("Slack", True, f"bot {reply.get('user')} in team {reply.get('team')}")


async def _model_check(settings: Settings) -> Check:
    from app.doctor_model import check_model

    name, ok, detail = await check_model(settings)
    return Check(name, ok, detail)
