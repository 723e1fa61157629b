"""`.github/fixer.yml`'s per-agent settings: `planner_model`, `coder_model`, `thinking`."""

from __future__ import annotations

import pytest

from app.errors import RepoConfigError
from app.repo_config import parse_repo_config


def test_one_thinking_number_applies_to_both_agents() -> None:
    config = parse_repo_config("thinking: 4096\n")
    assert (config.thinking_for("planner"), config.thinking_for("coder")) == (4096, 4096)


def test_thinking_per_agent_and_models_per_agent() -> None:
    config = parse_repo_config(
        "planner_model: claude-opus-4-6\ncoder_model: claude-haiku-4-5\n"
        "thinking:\n  planner: 8000\n"
    )
    assert (config.planner_model, config.coder_model) == ("claude-opus-4-6", "claude-haiku-4-5")
    assert (config.thinking_for("planner"), config.thinking_for("coder")) == (8000, 0)


def test_absent_thinking_leaves_the_setting_in_charge() -> None:
    assert parse_repo_config("model: claude-sonnet-4-6\n").thinking_for("coder") is None


@pytest.mark.parametrize(
    ("text", "line"),
    [("budget_usd: 3\nthinking: 500\n", 2), ("thinking:\n  coder: 100\n", 2)],
)
def test_a_budget_under_the_api_minimum_is_refused_quoting_its_line(text: str, line: int) -> None:
    with pytest.raises(RepoConfigError) as refused:
        parse_repo_config(text)
    assert f"line {line}" in str(refused.value) and "1024" in str(refused.value)


def test_an_unknown_agent_under_thinking_is_refused() -> None:
    with pytest.raises(RepoConfigError, match="thinking"):
        parse_repo_config("thinking:\n  reviewer: 2048\n")
