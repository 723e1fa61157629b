from __future__ import annotations

import pytest

from app.errors import RepoConfigError
from app.repo_config import RepoConfig, parse_repo_config


def test_absent_file_gives_safe_defaults() -> None:
    config = parse_repo_config(None)
    assert config == RepoConfig()
    assert config.network == "none"
    assert config.trigger == "issues"


def test_full_file_is_read() -> None:
    config = parse_repo_config(
        "image: fixer-sandbox:node\nsetup:\n  - npm ci\ntest: npm test\nnetwork: bridge\n"
        "model: claude-opus-4-1\nbudget_usd: 2.5\nmax_turns: 40\ntrigger: fixer\n"
        "instructions: Keep the public API.\n"
    )
    assert config.setup == ["npm ci"]
    assert config.test == "npm test"
    assert config.budget_usd == 2.5
    assert config.accepts("labeled", "fixer")
    assert not config.accepts("labeled", "bug")
    assert not config.accepts("opened", None)
    assert config.accepts("comment", None)


@pytest.mark.parametrize(
    ("text", "line", "quoted"),
    [
        ("trigger: fixer\nbudget_usd: -3\n", 2, "budget_usd: -3"),
        ("setup:\n  - make\n  - 3\n", 3, "- 3"),
        ("test: pytest\nnetwrok: none\n", 2, "netwrok: none"),
        ("network: host\n", 1, "network: host"),
        ("setup: [make\n", 2, ""),
    ],
)
def test_invalid_file_error_quotes_the_wrong_line(text: str, line: int, quoted: str) -> None:
    with pytest.raises(RepoConfigError) as caught:
        parse_repo_config(text)
    message = str(caught.value)
    assert message.startswith(f".github/fixer.yml line {line}:")
    assert message.splitlines()[-1].strip() == quoted
