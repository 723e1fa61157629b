"""`fixer demo --follow-up`: after the first PR, a reviewer asks for a change and CI fails.

A scripted reviewer requests changes with an inline comment; Fixer answers with a new commit
on the PR branch, a reply on the PR and one in the review thread. Then a check suite fails
on that commit (a type check, with an annotation and a job log) and Fixer fixes it in
another round. Each round's Slack approval is clicked as a signed request, like the first.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from devtools import sample_repo
from devtools.demo_watch import Narrator, Watcher
from devtools.scripted_model import reply, tool_use
from devtools.slack_render import render_message
from devtools.stack import Stack

REVIEWER = "sample-reviewer"
REVIEW_ASK = "Say in the docstring that empty input raises ZeroDivisionError."
TYPE_ERROR = "calc/stats.py:1: error: Function is missing a type annotation  [no-untyped-def]"
TYPED = "def mean(values: list[float]) -> float:"


def check_fix_script() -> list[Any]:
    """The coder's round answering the failing type check: annotate mean(), test, submit."""
    return [
        reply(
            tool_use("edit", {"path": "calc/stats.py", "old": "def mean(values):", "new": TYPED})
        ),
        reply(tool_use("shell", {"command": sample_repo.TEST_COMMAND})),
        reply(
            tool_use(
                "submit_result",
                sample_repo.result("Annotated mean(): values is a list of floats, it returns one."),
            )
        ),
    ]


def script() -> list[Any]:
    """The model's replies for both follow-up rounds (coder only: one file is named)."""
    return sample_repo.feedback_script() + check_fix_script()


def _state(stack: Stack, run_id: str) -> str | None:
    from app.runs import store

    run = store.get_run(stack.database_url, run_id)
    return None if run is None else str(run.state)


def _followup_approvals(stack: Stack) -> list[dict[str, Any]]:
    found = stack.approval_messages()
    return [m for m in found if "/pr-" in m["metadata"]["event_payload"]["run_id"]]


def _replies(stack: Stack, pr: int) -> list[Any]:
    found = stack.github.state.comments_on(sample_repo.REPO, pr)
    return [c for c in found if "fixer-followup-reply:" in c.body]


def _visible(body: str) -> str:
    return body.split("<!--")[0].rstrip()


def _git(checkout: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True)
    done.check_returncode()
    return done.stdout


def _approve(out: Narrator, stack: Stack, watcher: Watcher, index: int) -> str:
    """Wait for the ``index``-th follow-up approval, show it, click Approve; its round id."""
    message = watcher.wait(
        lambda: next(iter(_followup_approvals(stack)[index:]), None),
        f"the Slack approval of follow-up {index + 1}",
        240,
    )
    round_id = str(message["metadata"]["event_payload"]["run_id"])
    watcher.follow(round_id)
    out.say(f"Slack: approval message for follow-up round {round_id}:")
    out.block(render_message(message), "  ┃ ")
    response = stack.click("fixer_approve", round_id, 1)
    out.say(f"Slack → fixer: signed block_actions click on [Approve] → {response.status_code}")
    if response.status_code != 200:
        raise RuntimeError(f"Fixer answered the click with {response.status_code}")
    return round_id


def _new_commit(
    out: Narrator, stack: Stack, watcher: Watcher, checkout: Path, branch: str, before: str
) -> str:
    head = watcher.wait(
        lambda: (
            (stack.github.branch_head(sample_repo.REPO, branch) or before) != before
            and stack.github.branch_head(sample_repo.REPO, branch)
        ),
        "the follow-up commit",
    )
    assert isinstance(head, str)
    _git(checkout, "fetch", "--quiet", "origin", branch)
    out.say(
        f"GitHub: new commit {head[:7]} on {branch}: "
        + _git(checkout, "log", "-1", "--format=%s", head).strip()
    )
    out.block(_git(checkout, "diff", before, head))
    return head


def run_follow_up(out: Narrator, stack: Stack, watcher: Watcher, checkout: Path, run: str) -> None:
    """Review → commit and replies, then failing CI → commit; prints what each side sees."""
    github = stack.github
    watcher.wait(lambda: _state(stack, run) == "pr_opened", "the run to hand over to the PR")
    pull = next(iter(github.state.pulls.values()))
    branch = pull.head
    start = github.branch_head(sample_repo.REPO, branch) or pull.head_sha
    github.set_permission(REVIEWER, "write")
    review = github.submit_review(
        sample_repo.REPO, pull.number, "REQUEST_CHANGES", "One change before I approve.",
        REVIEWER, comments=[{"path": "calc/stats.py", "line": 2, "body": REVIEW_ASK}],
    )  # fmt: skip
    # A round's id names the feedback that started it: its sandbox can be shown at once.
    watcher.follow(f"{run}/pr-{pull.number}/review-{review['id']}")
    out.say(f"GitHub: {REVIEWER} requests changes on PR #{pull.number} (review {review['id']}):")
    out.block(f"One change before I approve.\ncalc/stats.py line 2: {REVIEW_ASK}")
    first = _approve(out, stack, watcher, 0)
    reviewed = _new_commit(out, stack, watcher, checkout, branch, start)
    thread = watcher.wait(
        lambda: next((c for c in github.state.pr.review_comments.values() if c.in_reply_to), None),
        "the reply in the review thread",
    )
    out.say(f"GitHub: {thread.author} replied in the review thread: {_visible(thread.body)}")
    said = watcher.wait(lambda: _replies(stack, pull.number), "the reply on the PR")
    out.say(f"GitHub: {said[0].author} on PR #{pull.number}: {_visible(said[0].body)}")
    watcher.wait(lambda: _state(stack, first) == "pr_opened", "the first follow-up to finish")

    suite = github.complete_check_suite(
        sample_repo.REPO, reviewed,
        [{
            "name": "types", "conclusion": "failure", "title": "mypy: 1 error",
            "summary": "Found 1 error in 1 file (checked 2 source files)",
            "annotations": [{
                "path": "calc/stats.py", "start_line": 1, "end_line": 1,
                "annotation_level": "failure", "title": "mypy",
                "message": "Function is missing a type annotation  [no-untyped-def]",
            }],
            "log": f"Run mypy --strict calc\n{TYPE_ERROR}\nFound 1 error in 1 file\n"
            "Error: Process completed with exit code 1.\n",
        }],
    )  # fmt: skip
    watcher.follow(f"{run}/pr-{pull.number}/check_suite-{suite}")
    out.say(f"GitHub Actions: CI on {reviewed[:7]} → failure (types: {TYPE_ERROR})")
    second = _approve(out, stack, watcher, 1)
    typed = _new_commit(out, stack, watcher, checkout, branch, reviewed)
    said = watcher.wait(lambda: _replies(stack, pull.number)[1:], "the second reply on the PR")
    out.say(f"GitHub: {said[0].author} on PR #{pull.number}: {_visible(said[0].body)}")
    watcher.wait(lambda: _state(stack, second) == "pr_opened", "the second follow-up to finish")
    github.complete_check_suite(
        sample_repo.REPO, typed, [{"name": "types", "conclusion": "success"}]
    )
    out.say(f"GitHub Actions: CI on {typed[:7]} → success")
    log = _git(checkout, "log", "--format=%h %an: %s", f"origin/{pull.base}..{typed}")
    out.say(f"GitHub: {branch} holds {len(log.splitlines())} commits on top of {pull.base}:")
    out.block(log)
    body = github.state.pulls[(sample_repo.REPO, pull.number)].body or ""
    rounds = body[body.find("## Rounds") :] if "## Rounds" in body else "(no Rounds section)"
    out.say(f"GitHub: PR #{pull.number}'s description now ends with:")
    out.block(
        "\n".join(
            line.split(" <!--")[0]
            for line in rounds.splitlines()
            if "<!--" not in line or "fixer-round:" in line
        )
    )
