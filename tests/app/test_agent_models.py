"""Which model and thinking budget each agent of a round gets: the repository's
`.github/fixer.yml` first, then FIXER_PLANNER_MODEL / FIXER_CODER_MODEL /
FIXER_THINKING_BUDGET, then FIXER_MODEL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.config import load_settings
from app.repo_config import parse_repo_config
from app.runs import context
from app.runs.agent_phase import agent_models, loop_config
from app.runs.phase_io import PhaseInput


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def install(**settings: Any) -> None:
        ctx = context.ServiceContext.__new__(context.ServiceContext)
        ctx.settings = load_settings(**settings)
        monkeypatch.setattr(context, "_current", ctx)

    yield install


def phase(model: str) -> PhaseInput:
    return PhaseInput(
        run_id="acme/app#1:1",
        request={},
        round=1,
        installation_id=1,
        repo_full_name="acme/app",
        clone_url="",
        config={},
        model=model,
        issue={},
        guidance={},
    )


def test_settings_choose_each_agent_s_model_when_the_repository_does_not(installed: Any) -> None:
    installed(fixer_planner_model="claude-opus-4-6", fixer_coder_model="claude-haiku-4-5")
    assert agent_models(phase("claude-sonnet-4-6"), parse_repo_config("")) == (
        "claude-opus-4-6",
        "claude-haiku-4-5",
    )


def test_the_repository_s_models_win_over_the_settings(installed: Any) -> None:
    installed(fixer_planner_model="claude-opus-4-6")
    config = parse_repo_config("model: claude-sonnet-4-5\ncoder_model: claude-haiku-4-5\n")
    assert agent_models(phase("claude-sonnet-4-5"), config) == (
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
    )


def test_without_agent_models_both_use_fixer_model(installed: Any) -> None:
    installed()
    assert agent_models(phase("claude-sonnet-4-6"), parse_repo_config("")) == (
        "claude-sonnet-4-6",
        "claude-sonnet-4-6",
    )


def test_thinking_comes_from_the_repository_else_the_setting(installed: Any) -> None:
    installed(fixer_thinking_budget=3000)
    assert loop_config(parse_repo_config(""), "coder").thinking_budget == 3000
    config = parse_repo_config("thinking:\n  planner: 5000\n")
    assert loop_config(config, "planner").thinking_budget == 5000
    assert loop_config(config, "coder").thinking_budget == 0  # the file turned it off
