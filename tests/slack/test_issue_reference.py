"""Reading the issue and the instructions from a mention's text."""

from __future__ import annotations

import pytest

from app.slack.issue_reference import IssueReference, parse_issue_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0LAN0Z89> fix octo/hello#12", IssueReference("octo/hello", 12)),
        (
            "<@U1> fix octo/hello#12 please add a test",
            IssueReference("octo/hello", 12, "please add a test"),
        ),
        (
            "<@U1> fix <https://github.com/octo/hello.js/issues/7> - and handle None",
            IssueReference("octo/hello.js", 7, "and handle None"),
        ),
        (
            "<@U1> <https://ghe.corp.example/octo/hello/issues/7|octo/hello#7>: do it",
            IssueReference("octo/hello", 7, "do it"),
        ),
        (
            "<@U1> fix https://github.com/o-1/r_2/issues/5#issuecomment-9",
            IssueReference("o-1/r_2", 5),
        ),
    ],
)
def test_reference_and_instructions_are_read(text: str, expected: IssueReference) -> None:
    assert parse_issue_reference(text) == expected


@pytest.mark.parametrize("text", ["<@U1> hi there!", "<@U1> fix #12", "see a/b/c#4", ""])
def test_text_without_an_issue_gives_none(text: str) -> None:
    assert parse_issue_reference(text) is None
