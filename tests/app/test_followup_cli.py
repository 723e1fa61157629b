"""`fixer runs list` shows a follow-up round with its trigger and the feedback it answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import migrate, session_scope
from app.models import Run


def test_runs_list_shows_a_followup_round_with_its_trigger_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database_url = f"sqlite:///{tmp_path}/fixer.db"
    monkeypatch.setenv("DATABASE_URL", database_url)
    migrate(database_url)
    round_id = "acme/calc#7:1/pr-8/review-42"
    with session_scope(database_url) as session:
        session.add(
            Run(
                id=round_id,
                repo_full_name="acme/calc",
                repo_id=1,
                installation_id=2,
                issue_number=7,
                attempt=0,
                trigger="followup:review",
                actor="reviewer",
                instructions="review:42 comment:43",
                state="awaiting_approval",
            )
        )
    result = CliRunner().invoke(cli, ["runs", "list"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith(round_id))
    assert "followup:review" in line and "answers review:42 comment:43" in line
