"""`fixer runs list` tells a person why a run ended without a pull request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import migrate
from app.models import RunState
from app.runs import store
from app.runs.request import RunRequest


def test_runs_list_shows_why_a_run_was_skipped_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database_url = f"sqlite:///{tmp_path}/fixer.db"
    monkeypatch.setenv("DATABASE_URL", database_url)
    migrate(database_url)
    request = RunRequest(
        repo_full_name="acme/calc",
        repo_id=1,
        installation_id=2,
        issue_number=7,
        trigger="opened",
        actor="reader",
    )
    store.record_run(database_url, "acme/calc#7:1", request, 1)
    reason = "reader has read permission on acme/calc;\nstarting a run needs write"
    store.update_run(database_url, "acme/calc#7:1", state=RunState.skipped, error=reason)

    result = CliRunner().invoke(cli, ["runs", "list"])

    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("acme/calc#7:1"))
    assert "skipped" in line
    assert "reader has read permission on acme/calc; starting a run needs write" in line
