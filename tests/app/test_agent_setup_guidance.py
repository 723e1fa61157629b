"""The agents hear which set-up commands ran and how each went (issue text aside)."""

from __future__ import annotations

from agents.briefing import setup_lines
from agents.plan import RepoGuidance
from app.runs.agent_phase import with_setup


def test_round_one_tells_the_agents_each_setup_command_and_its_outcome() -> None:
    results = [{"exit_code": 0, "output": "Successfully installed temperature", "timed_out": False}]
    guidance = with_setup(RepoGuidance(), ["pip install -e ."], results)
    text = setup_lines(guidance)
    assert "`pip install -e .`: exit 0 (ok)" in text


def test_a_later_round_names_the_setup_commands_without_outcomes() -> None:
    guidance = with_setup(RepoGuidance(), ["npm ci"], [])
    text = setup_lines(guidance)
    assert "- `npm ci`" in text and "exit" not in text


def test_no_setup_is_said_plainly() -> None:
    assert "configures no set-up commands" in setup_lines(with_setup(RepoGuidance(), [], []))
