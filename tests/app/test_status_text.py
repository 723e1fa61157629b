"""The status comment's words for a failed run say what did and did not reach GitHub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from app.github import GitHubApp
from app.runs import context, status_text


@pytest.fixture(autouse=True)
def service(settings: Settings) -> Iterator[None]:
    context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
    yield


def test_failure_before_the_push_says_nothing_was_pushed() -> None:
    text = status_text.failed("acme/calc#1:1", "the model refused", 0.12)
    assert "Nothing was pushed" in text
    assert "/fix" in text


def test_failure_after_the_push_names_the_branch_instead_of_denying_it() -> None:
    text = status_text.failed(
        "acme/calc#1:1", "GitHub refused the pull request", 0.12, pushed_branch="fixer/issue-1"
    )
    assert "Nothing was pushed" not in text
    assert "`fixer/issue-1`" in text and "no pull request was opened" in text
