"""Structured logs: JSON lines with the run id under ``FIXER_LOG_FORMAT=json``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from app.logging_setup import configure_logging


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_run_id(
    restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json")
    logging.getLogger("app.runs").info("coding", extra={"run_id": "acme/calc#1:1", "round": 2})
    line = capsys.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["message"] == "coding" and entry["level"] == "info"
    assert entry["run_id"] == "acme/calc#1:1" and entry["round"] == 2


def test_text_lines_name_the_run(restore_root: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("text")
    configure_logging("text")  # idempotent: one handler, one line
    logging.getLogger("app.runs").warning("stopped", extra={"run_id": "acme/calc#1:1"})
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("stopped [run acme/calc#1:1]")
