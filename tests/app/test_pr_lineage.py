"""Feedback on a followed PR is stored once and handed to exactly one round, as one batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.db import migrate
from app.models import RunState
from app.runs import followup_intake, pr_lineage, store
from app.runs.feedback import FeedbackEvent
from app.runs.followup_intake import NOT_OURS, accept_feedback
from app.runs.request import RunRequest

REPO = "acme/calc"


def _event(key: str, pr: int = 5) -> FeedbackEvent:
    return FeedbackEvent(
        key=key,
        kind="comment",
        repo_full_name=REPO,
        repo_id=1,
        installation_id=2,
        pr_number=pr,
        head_ref="",
        actor="dev",
        text="/fix more",
        source_id=int(key.split(":")[1]),
        command=True,
    )


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/fixer.db"
    migrate(url)
    pr_lineage.record_lineage(
        url,
        repo_full_name=REPO,
        pr_number=5,
        run_id=f"{REPO}#1:1",
        issue_number=1,
        repo_id=1,
        installation_id=2,
        head_ref="fixer/issue-1",
        base_ref="main",
        clone_url="http://git.local/acme/calc.git",
    )
    return url


def test_feedback_arriving_during_a_round_is_the_next_rounds_single_batch(
    tmp_path: Path,
) -> None:
    url = _db(tmp_path)
    assert pr_lineage.store_feedback(url, _event("comment:1"))
    first = pr_lineage.claim_feedback(url, REPO, 5, "round-a")
    assert [e.key for e in first] == ["comment:1"]
    # Two more while round a runs: round b gets both, round c (enqueued for the second) none.
    assert pr_lineage.store_feedback(url, _event("comment:2"))
    assert pr_lineage.store_feedback(url, _event("comment:3"))
    assert [e.key for e in pr_lineage.claim_feedback(url, REPO, 5, "round-b")] == [
        "comment:2",
        "comment:3",
    ]
    assert pr_lineage.claim_feedback(url, REPO, 5, "round-c") == []
    # A re-run of round a's claim step gets its own batch back, nothing of b's.
    assert [e.key for e in pr_lineage.claim_feedback(url, REPO, 5, "round-a")] == ["comment:1"]


def test_redelivered_feedback_is_stored_once(tmp_path: Path) -> None:
    url = _db(tmp_path)
    assert pr_lineage.store_feedback(url, _event("comment:1"))
    assert not pr_lineage.store_feedback(url, _event("comment:1"))


def test_feedback_on_a_pr_fixer_did_not_open_or_a_closed_one_is_ignored(tmp_path: Path) -> None:
    url = _db(tmp_path)
    assert accept_feedback(url, _event("comment:9", pr=77)) == NOT_OURS
    assert pr_lineage.close_lineage(url, REPO, 5, merged=True)
    assert not pr_lineage.close_lineage(url, REPO, 5, merged=False)
    assert accept_feedback(url, _event("comment:1")) == "ignored:the pull request is merged"
    assert pr_lineage.claim_feedback(url, REPO, 5, "round-a") == []


def test_feedback_while_a_run_opens_its_pr_is_kept_for_it_and_none_is_kept_otherwise(
    tmp_path: Path,
) -> None:
    url = _db(tmp_path)
    request = RunRequest(
        repo_full_name=REPO,
        repo_id=1,
        installation_id=2,
        issue_number=3,
        trigger="opened",
        actor="dev",
    )
    store.record_run(url, request.run_id(1), request, 1)
    # No run is opening a PR: feedback on an unknown PR is nobody's, and nothing is stored.
    assert accept_feedback(url, _event("comment:20", pr=8)) == NOT_OURS
    assert pr_lineage.waiting_feedback(url, REPO, 8) == []
    # A run is between opening PR 8 and recording it: CI on it is kept, not dropped.
    store.update_run(url, request.run_id(1), state=RunState.opening_pr)
    assert accept_feedback(url, _event("comment:21", pr=8)).startswith("kept:")
    assert pr_lineage.waiting_feedback(url, REPO, 8) == ["comment:21"]


def test_feedback_right_after_the_run_says_pr_opened_is_kept_until_it_records_the_pr(
    tmp_path: Path,
) -> None:
    # The run's state says pr_opened a few steps before it records the PR: a reviewer who
    # comments in that gap must not be dropped as "not Fixer's PR".
    url = _db(tmp_path)
    request = RunRequest(
        repo_full_name=REPO,
        repo_id=1,
        installation_id=2,
        issue_number=3,
        trigger="opened",
        actor="dev",
    )
    store.record_run(url, request.run_id(1), request, 1)
    store.update_run(
        url,
        request.run_id(1),
        state=RunState.pr_opened,
        pr_url=f"http://github.local/{REPO}/pull/8",
    )
    assert accept_feedback(url, _event("comment:30", pr=8)).startswith("kept:")
    assert pr_lineage.waiting_feedback(url, REPO, 8) == ["comment:30"]
    # The PR that run opened is 8: feedback on PR 80 (or any other) is still nobody's.
    assert accept_feedback(url, _event("comment:31", pr=80)) == NOT_OURS
    assert pr_lineage.waiting_feedback(url, REPO, 80) == []


def test_feedback_kept_while_the_pr_is_recorded_gets_its_round_from_the_intake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record step looks for waiting feedback once; feedback stored just after that look
    # would wait forever, so the intake reads the lineage again and owes the round itself.
    url = _db(tmp_path)
    request = RunRequest(
        repo_full_name=REPO,
        repo_id=1,
        installation_id=2,
        issue_number=3,
        trigger="opened",
        actor="dev",
    )
    store.record_run(url, request.run_id(1), request, 1)
    store.update_run(url, request.run_id(1), state=RunState.opening_pr)
    reads: list[int] = []
    real_get = pr_lineage.get_lineage

    def get_lineage(database_url: str, repo: str, pr: int) -> Any:
        reads.append(pr)
        if len(reads) == 1:
            return None  # the first read comes before the record step commits
        if len(reads) == 2:
            pr_lineage.record_lineage(
                url,
                repo_full_name=REPO,
                pr_number=8,
                run_id=request.run_id(1),
                issue_number=3,
                repo_id=1,
                installation_id=2,
                head_ref="fixer/issue-3",
                base_ref="main",
                clone_url="http://git.local/acme/calc.git",
            )
        return real_get(database_url, repo, pr)

    enqueued: list[str] = []
    monkeypatch.setattr(pr_lineage, "get_lineage", get_lineage)
    monkeypatch.setattr(
        followup_intake, "enqueue_round", lambda repo, pr, rid: enqueued.append(rid)
    )
    outcome = accept_feedback(url, _event("comment:40", pr=8))
    assert outcome.startswith("followup:") and enqueued == [outcome.removeprefix("followup:")]
