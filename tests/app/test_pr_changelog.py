"""The PR body's changelog of rounds: one line per round however often it is added, the
rest of the body kept, and GitHub's 65,536 characters never exceeded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import load_settings
from app.github import GitHubApp
from app.github_limits import BODY_LIMIT
from app.runs import context
from app.runs.feedback import FeedbackEvent, FeedbackKind
from app.runs.pr_changelog import END, START, answers_of, update_pr_body_step, with_round
from tests.devtools.conftest import PR_APP_ID, PR_REPO, PullSite, pull_site

__all__ = ["pull_site"]  # the fixture: a PR the App's bot opened on octo/lib
BODY = "Fixes #1\n\n## Plan\n\nDivide by n.\n\nCost $0.10 · [run](http://fixer/runs/1)"


def entry(key: str, sha: str = "abcdef1234567890", summary: str = "Documented it.") -> dict:  # type: ignore[type-arg]
    return {
        "key": key,
        "sha": sha,
        "url": f"http://gh/acme/calc/pull/2/commits/{sha}",
        "summary": summary,
        "answers": "review by @alice",
    }


def test_rounds_are_listed_in_order_after_the_body_between_hidden_markers() -> None:
    body = with_round(with_round(BODY, entry("r1")), entry("r2", sha="1234567aaaa"))
    assert body.startswith(BODY + "\n\n" + START + "\n## Rounds")
    assert body.endswith(END)
    assert (
        "- **Round 2** · [`abcdef1`](http://gh/acme/calc/pull/2/commits/abcdef1234567890)" in body
    )
    assert "· review by @alice: Documented it." in body
    assert body.index("**Round 2**") < body.index("**Round 3** · [`1234567`]")


def test_the_same_round_added_twice_appears_once_and_changes_nothing() -> None:
    once = with_round(BODY, entry("r1"))
    assert with_round(once, entry("r1")) == once
    later = with_round(once, entry("r2"))
    assert with_round(later, entry("r1")) == later
    assert later.count("fixer-round:r1") == 1 and later.count(START) == 1


def test_text_people_added_around_the_section_stays() -> None:
    edited = with_round(BODY, entry("r1")) + "\n\nReviewer's note: ship it."
    again = with_round(edited, entry("r2"))
    assert again.endswith("Reviewer's note: ship it.")
    assert again.startswith(BODY) and again.count("**Round") == 2


def test_a_long_summary_is_one_short_line() -> None:
    body = with_round(BODY, entry("r1", summary="word " * 500 + "\nsecond line"))
    [line] = [line for line in body.splitlines() if "fixer-round:r1" in line]
    assert len(line) < 400 and "…" in line


def test_the_body_never_exceeds_githubs_limit_the_oldest_rounds_go_first() -> None:
    body = BODY
    for n in range(40):
        body = with_round(body, entry(f"r{n}", summary=f"round {n} " + "x" * 150), limit=4000)
    assert len(body) <= 4000
    assert "fixer-round:r39" in body and "fixer-round:r0 " not in body
    assert body.startswith(BODY) and "earlier round(s) are on the run page" in body
    assert "**Round 41**" in body  # the numbering counts the rounds cut
    huge = "x" * BODY_LIMIT
    cut = with_round(huge, entry("r1"))
    assert len(cut) <= BODY_LIMIT and "fixer-round:r1" in cut and cut.endswith(END)


@pytest.fixture
def service(pull_site: PullSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        github_app_id=PR_APP_ID,
        github_app_private_key=pull_site.key,
        github_webhook_secret="secret",
        github_api_url=pull_site.github.api_url,
    )
    context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
    yield


async def test_the_step_patches_the_body_once_per_round(service: None, pull_site: PullSite) -> None:
    step = update_pr_body_step.__wrapped__.__wrapped__  # type: ignore[attr-defined]
    pull = pull_site.github.state.pulls[(PR_REPO, pull_site.number)]
    pull.body = BODY
    assert await step(pull_site.installation, PR_REPO, pull_site.number, entry("r1")) is True
    assert await step(pull_site.installation, PR_REPO, pull_site.number, entry("r1")) is False
    patches = [r for r in pull_site.github.state.requests if r[0] == "PATCH"]
    assert len(patches) == 1
    assert pull.body is not None and pull.body.startswith(BODY) and "**Round 2**" in pull.body


def test_a_rounds_line_names_what_it_answered_and_who_asked() -> None:
    def event(kind: FeedbackKind, actor: str, key: str) -> FeedbackEvent:
        return FeedbackEvent(
            key=key, kind=kind, repo_full_name=PR_REPO, repo_id=1, installation_id=1,
            pr_number=2, head_ref="fixer/issue-1", actor=actor, source_id=1,
        )  # fmt: skip

    events = [event("review", "alice", "review:1"), event("checks", "", "check_suite:2")]
    assert answers_of(events) == "review by @alice, failing checks"
    assert answers_of([*events, event("review", "alice", "review:3")]).count("alice") == 1
