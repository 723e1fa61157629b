"""Reading PR feedback from the GitHub emulation: reviews with their threads, comments as they
are now, failing checks with annotations and Actions log tails, replies posted once."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import load_settings
from app.github import GitHubApp
from app.runs.check_failures import LOG_TAIL_LINES
from app.runs.feedback import FeedbackEvent, render
from app.runs.feedback_sources import gather_feedback
from app.runs.thread_replies import reply_in_threads
from tests.devtools.conftest import PR_APP_ID, PR_REPO, PullSite, pull_site

__all__ = ["pull_site"]


@pytest.fixture
def fixer(pull_site: PullSite) -> GitHubApp:
    settings = load_settings(
        github_app_id=PR_APP_ID,
        github_app_private_key=pull_site.key,
        github_webhook_secret="secret",
        github_api_url=pull_site.github.api_url,
    )
    return GitHubApp(settings)


def event(site: PullSite, kind: str, source_id: int, **fields: Any) -> FeedbackEvent:
    return FeedbackEvent.model_validate(
        {
            "key": f"{kind}:{source_id}",
            "kind": kind,
            "repo_full_name": PR_REPO,
            "repo_id": site.github.state.repos[PR_REPO].id,
            "installation_id": site.installation,
            "pr_number": site.number,
            "head_ref": "fixer/issue-1",
            "source_id": source_id,
            **fields,
        }
    )


def failing_run(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "conclusion": "failure", "title": f"{name} failed", **extra}


async def test_review_with_three_inline_comments_gives_three_threads_with_hunks(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    review = pull_site.github.submit_review(
        PR_REPO, pull_site.number, "REQUEST_CHANGES", "Please tidy this up", "alice",
        comments=[
            {"path": "calc.py", "line": 6, "body": "Drop the comment"},
            {"path": "calc.py", "start_line": 4, "line": 6, "body": "Rename sub to subtract"},
            {"path": "calc.py", "line": 5, "body": "Add a docstring"},
        ],
    )  # fmt: skip
    item = await gather_feedback(fixer, event(pull_site, "review", review["id"]))
    assert not item.stale
    assert item.event.text == "Please tidy this up"
    assert [(t.path, t.start_line, t.line, t.author) for t in item.threads] == [
        ("calc.py", None, 6, "alice"),
        ("calc.py", 4, 6, "alice"),
        ("calc.py", None, 5, "alice"),
    ]
    # Each hunk runs from its @@ header down to the line the comment is on, as GitHub's do.
    assert [t.diff_hunk.startswith("@@") for t in item.threads] == [True, True, True]
    assert [t.diff_hunk.rsplit("\n", 1)[-1] for t in item.threads] == [
        "+    return a - b  # fixed",
        "+    return a - b  # fixed",
        " def sub(a, b):",
    ]
    shown = render([item])
    assert "`calc.py` line 4-6" in shown and "@alice: Rename sub to subtract" in shown


async def test_edited_comment_is_read_as_it_is_now_and_a_deleted_one_is_stale(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    made = pull_site.github.comment_on_pull(PR_REPO, pull_site.number, "/fix use a loop", "alice")
    pull_site.github.state.comments[made["id"]].body = "/fix use recursion instead"
    item = await gather_feedback(fixer, event(pull_site, "comment", made["id"], command=True))
    assert (item.stale, item.event.text) == (False, "use recursion instead")
    del pull_site.github.state.comments[made["id"]]
    gone = await gather_feedback(fixer, event(pull_site, "comment", made["id"], command=True))
    assert gone.stale and "deleted" in gone.note


async def test_all_120_annotations_of_a_failing_check_are_read(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    notes = [
        {"path": "calc.py", "start_line": n, "end_line": n, "annotation_level": "failure",
         "message": f"E{n:03d} line too long"}
        for n in range(1, 121)
    ]  # fmt: skip
    suite = pull_site.github.complete_check_suite(
        PR_REPO, pull_site.head_sha,
        [failing_run("lint", annotations=notes), {"name": "docs", "conclusion": "success"}],
        app="octo-lint",
    )  # fmt: skip
    item = await gather_feedback(
        fixer, event(pull_site, "checks", suite, head_sha=pull_site.head_sha)
    )
    [check] = item.checks
    assert (check.name, check.title, check.log_tail) == ("lint", "lint failed", "")
    assert len(check.annotations) == 120
    assert check.annotations[119] == "calc.py:120: failure: E120 line too long"


async def test_failing_actions_job_gives_the_tail_of_its_log(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    log = "".join(f"2024-01-01T00:00:{n % 60:02d}.0000000Z step output {n}\n" for n in range(500))
    log += "2024-01-01T00:01:00.0000000Z \x1b[31mFAILED test_calc.py::test_sub\x1b[0m\n"
    with pull_site.github.webhooks.held() as sent:
        suite = pull_site.github.complete_check_suite(
            PR_REPO, pull_site.head_sha,
            [failing_run("test", log=log), {"name": "lint", "conclusion": "success", "log": "ok"}],
        )  # fmt: skip
    flow = next(p["workflow_run"] for e, p in sent if e == "workflow_run")
    for workflow_run_id in (None, flow["id"]):  # from check_suite, then from workflow_run
        checks = event(
            pull_site, "checks", suite, head_sha=pull_site.head_sha, workflow_run_id=workflow_run_id
        )
        [check] = (await gather_feedback(fixer, checks)).checks
        lines = check.log_tail.split("\n")
        assert len(lines) == LOG_TAIL_LINES
        assert lines[-1] == "FAILED test_calc.py::test_sub"
        assert lines[0] == "step output 301"
    assert "Log tail of `test`" in render([await gather_feedback(fixer, checks)])


async def test_checks_on_a_commit_that_is_no_longer_the_head_are_stale(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    old = pull_site.head_sha
    suite = pull_site.github.complete_check_suite(PR_REPO, old, [failing_run("test")])
    pull_site.github.push_to_branch(PR_REPO, "fixer/issue-1", {"NOTES.md": "x\n"}, "alice")
    item = await gather_feedback(fixer, event(pull_site, "checks", suite, head_sha=old))
    assert item.stale and item.checks == [] and "no longer the head" in item.note
    assert render([item]) == ""


async def test_replies_are_posted_once_even_when_the_step_runs_twice(
    pull_site: PullSite, fixer: GitHubApp
) -> None:
    review = pull_site.github.submit_review(
        PR_REPO, pull_site.number, "REQUEST_CHANGES", "", "alice",
        comments=[
            {"path": "calc.py", "line": 6, "body": "Drop the comment"},
            {"path": "calc.py", "line": 5, "body": "Add a docstring"},
        ],
    )  # fmt: skip
    threads = (await gather_feedback(fixer, event(pull_site, "review", review["id"]))).threads
    replies = [
        {"comment_id": t.comment_id, "body": f"Addressed in abc1234: {t.body}"} for t in threads
    ]
    first = await reply_in_threads(
        fixer, pull_site.installation, PR_REPO, pull_site.number, replies
    )
    again = await reply_in_threads(
        fixer, pull_site.installation, PR_REPO, pull_site.number, replies
    )
    assert [r["posted"] for r in first] == [True, True]
    assert [r["posted"] for r in again] == [False, False]
    assert [r["id"] for r in again] == [r["id"] for r in first]
    posted = [
        c for c in pull_site.github.state.pr.review_comments.values() if c.in_reply_to is not None
    ]
    assert sorted(c.in_reply_to or 0 for c in posted) == sorted(t.comment_id for t in threads)
    assert all(c.body.startswith("Addressed in abc1234") for c in posted)
    assert all("<!-- fixer-reply:" in c.body for c in posted)
