"""Each way a run can stop ends with a clear status comment, a Slack note, and nothing left
running: no container, no pushed branch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.runs.workspace import sandbox_key
from devtools import sample_repo
from devtools.scripted_model import ScriptedError, reply, text
from devtools.stack import CHANNEL, Stack, wait_until

BROKEN = "acme/broken"


def open_issue_in(stack: Stack, config: str) -> str:
    files = dict(sample_repo.FILES)
    files[".github/fixer.yml"] = config
    stack.github.create_repo(BROKEN, files=files)
    stack.github.install([BROKEN])
    issue = stack.github.open_issue(
        BROKEN, sample_repo.ISSUE_TITLE, sample_repo.ISSUE_BODY, sample_repo.AUTHOR
    )
    return f"{BROKEN}#{issue['number']}:1"


def status_of(stack: Stack) -> str:
    found = [c.body for c in stack.github.state.comments.values() if c.repo == BROKEN]
    assert len(found) <= 1, "more than one status comment"
    return found[0] if found else ""


def slack_notes(stack: Stack) -> list[str]:
    return [
        m.get("text", "")
        for m in stack.slack.state.messages.get(CHANNEL, [])
        if (m.get("metadata") or {}).get("event_type") == "fixer_progress"
    ]


def no_container_left(docker_client: Any, stack: Stack, run_id: str) -> bool:
    label = f"fixer.run_id={sandbox_key(stack.database_url, run_id)}"
    return not docker_client.containers.list(all=True, filters={"label": label}, sparse=True)


CASES: list[tuple[str, str, list[Any], str]] = [
    (
        "model auth error",
        "test: python3 -m unittest\n",
        [ScriptedError(401, "authentication_error", "invalid x-api-key")],
        "ModelError",
    ),
    (
        "sandbox image missing",
        "image: fixer-sandbox:does-not-exist\n",
        sample_repo.fix_script(),
        "fixer sandbox build",
    ),
    (
        "budget exceeded",
        "budget_usd: 0.001\n",
        sample_repo.fix_script(),
        "BudgetExceeded",
    ),
    (
        "agent gave up",
        "test: python3 -m unittest\n",
        # Nudged, then forced to submit, the model still only talks: after the loop's
        # patience (six slips in a row) the agent stops, and the run says so.
        [reply(text("I cannot work out what is wrong."))] * 7,
        "AgentGaveUp",
    ),
    (
        "setup command fails",
        "setup: [exit 3]\n",
        sample_repo.fix_script(),
        "setup command `exit 3` failed with exit code 3",
    ),
]


@pytest.mark.parametrize(("case", "config", "script", "reason"), CASES, ids=[c[0] for c in CASES])
def test_run_stops_cleanly_and_says_why(
    make_stack: Callable[[list[Any]], Stack],
    docker_client: Any,
    case: str,
    config: str,
    script: list[Any],
    reason: str,
) -> None:
    stack = make_stack(script)
    stack.start_fixer()
    run_id = open_issue_in(stack, config)
    wait_until(lambda: "Fixer stopped" in status_of(stack), what=f"the {case} comment")
    assert reason in status_of(stack)
    wait_until(lambda: any(reason in note for note in slack_notes(stack)), what="the Slack note")
    assert no_container_left(docker_client, stack, run_id)
    assert stack.github.state.pulls == {}


def test_failing_tests_still_offer_approval_clearly_marked(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    from devtools.scripted_model import tool_use

    # The coder edits the docstring, not the bug: the tests it runs really fail, and the
    # harness's own record of that run is what the approval shows.
    script = sample_repo.fix_script()
    script[3] = sample_repo.feedback_script()[0]
    failing = dict(sample_repo.result("changed nothing useful"), tests_passed=False)
    script[-1] = reply(tool_use("submit_result", failing))
    stack = make_stack(script)
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    wait_until(
        lambda: "tests still fail" in next(iter(stack.github.state.comments.values())).body,
        what="the status comment marking the failing tests",
    )
    assert len(stack.github.state.comments) == 1
    # Approved anyway, the PR opens as a draft (`draft: when_tests_fail`, the default).
    assert stack.click("fixer_approve", f"{sample_repo.REPO}#1:1", 1).status_code == 200
    [pull] = wait_until(lambda: list(stack.github.state.pulls.values()), what="the pull request")
    assert pull.draft is True and "**still failing**" in (pull.body or "")


def test_approval_expires_with_a_comment_and_no_push(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    run_id = open_issue_in(stack, "approval_timeout_hours: 0.002\n")
    wait_until(lambda: "expired" in status_of(stack), timeout=60, what="the expiry comment")
    [message] = [
        m for m in stack.approval_messages() if m["metadata"]["event_payload"]["run_id"] == run_id
    ]
    wait_until(
        lambda: "xpired" in str(stack.slack.state.find(CHANNEL, message["ts"])),
        what="Slack shows expiry",
    )
    assert stack.github.state.pulls == {}


def test_retry_forks_the_failed_run_and_reuses_what_was_recorded(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    import os
    import subprocess
    import sys

    # The planner's third call fails for good (a 400); the first two are recorded.
    script = sample_repo.fix_script()
    script.insert(2, ScriptedError(400, "invalid_request_error", "prompt is too long"))
    stack = make_stack(script)
    stack.start_fixer()
    run_id = open_issue_in(stack, "test: python3 -m unittest discover -s tests -v\n")
    wait_until(lambda: "Fixer stopped" in status_of(stack), what="the failure")
    assert len(stack.model.requests) == 3
    env = {**os.environ, **stack.env}
    retried = subprocess.run(
        [sys.executable, "-m", "app", "runs", "retry", run_id],
        cwd=stack.workdir, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert retried.returncode == 0, retried.stderr
    wait_until(lambda: stack.approval_messages(), what="the approval after the retry")
    # The two recorded planner calls were not made again: 3 before + 4 after the retry.
    assert len(stack.model.requests) == 3 + 4
    assert stack.click("fixer_approve", run_id, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    assert len(stack.github.state.pulls) == 1
    wait_until(lambda: "Pull request opened" in status_of(stack), what="the PR comment")
