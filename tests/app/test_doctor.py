"""`fixer doctor` as a user runs it: a line per check, exit 1 when a needed one fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import respx

from app.config import Settings
from app.doctor import run_checks
from tests.github_fake import FakeGitHub


def test_doctor_without_credentials_names_each_fix_and_exits_1(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/f.db",
    }
    result = subprocess.run(
        [sys.executable, "-m", "app", "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "✘ settings: GITHUB_APP_ID is not set: run `fixer setup`" in lines[0]
    assert any(line.startswith("✔ database:") for line in lines)
    assert any(line.startswith("✘ Anthropic: ANTHROPIC_API_KEY is not set") for line in lines)
    assert "Traceback" not in result.stderr


async def test_doctor_checks_github_app_auth_with_a_real_jwt(
    settings: Settings, github: FakeGitHub
) -> None:
    checks = {check.name: check for check in await run_checks(settings)}
    assert checks["settings"].ok
    assert checks["GitHub App"].ok, checks["GitHub App"].detail
    assert "fixer-test" in checks["GitHub App"].detail


async def test_doctor_reports_a_rejected_key(settings: Settings, app_key: tuple[str, str]) -> None:
    with respx.mock() as router:
        router.get(url__regex=r".*/app$").mock(
            return_value=httpx.Response(
                401, json={"message": "A JSON web token could not be decoded"}
            )
        )
        checks = {check.name: check for check in await run_checks(settings)}
    assert not checks["GitHub App"].ok
    assert "401" in checks["GitHub App"].detail or "JSON web token" in checks["GitHub App"].detail
