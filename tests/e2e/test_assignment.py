"""Assigning an issue to the App's bot user starts a run, through `fixer serve`.

The repository starts runs only on the label ``fixer``, so opening the issues starts none
(their runs are recorded as skipped); assignment is what asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devtools import sample_repo
from devtools.stack import Stack, wait_until
from tests.e2e.test_triggers_e2e import comments_on, reactions_on, rows, runs_of

REPO = "acme/assign"
LABEL_ONLY = sample_repo.FILES[".github/fixer.yml"] + "trigger: fixer\n"


def outcome_of(stack: Stack, delivery_id: str) -> str:
    found = rows(stack, "SELECT outcome FROM webhook_deliveries WHERE id = :i", i=delivery_id)
    return str(found[0].outcome) if found else ""


def opened(stack: Stack, title: str) -> int:
    number = int(
        stack.github.open_issue(REPO, title, "mean() is off by one", sample_repo.AUTHOR)["number"]
    )
    wait_until(
        lambda: [r.state for r in runs_of(stack, REPO, number)] == ["skipped"],
        what=f"#{number}'s opened run to be skipped",
    )
    return number


def test_assigning_the_issue_to_the_bot_starts_one_run_to_approval(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    github = stack.github
    github.create_repo(REPO, files={**sample_repo.FILES, ".github/fixer.yml": LABEL_ONLY})
    github.install([REPO])
    bot = f"{github.site.app.slug}[bot]"
    github.set_permission("helper", "write")
    github.set_permission("triager", "triage")

    # Assigned to a person: ingress starts nothing, and says why on the delivery.
    first = opened(stack, "Assigned to a person")
    github.assign(REPO, first, "helper", by=sample_repo.AUTHOR)
    delivery = github.state.deliveries[-1]
    wait_until(lambda: outcome_of(stack, delivery.id), what="the assignment's outcome")
    assert outcome_of(stack, delivery.id) == "ignored:issue assigned to helper, not to a bot"

    # Assigned to the bot by someone who may triage but not write: refused, nothing shown.
    second = opened(stack, "Assigned by a triager")
    github.assign(REPO, second, bot, by="triager")
    wait_until(lambda: len(runs_of(stack, REPO, second)) == 2, what="the triager's run")
    wait_until(lambda: runs_of(stack, REPO, second)[1].state == "skipped", what="the refusal")
    assert runs_of(stack, REPO, second)[1].error == (
        f"triager has read permission on {REPO}; starting a run needs write, maintain or admin"
    )
    assert comments_on(stack, REPO, second) == []
    assert reactions_on(stack, f"issue:{REPO}#{second}") == []

    # Assigned to the bot by a writer: one run, 👀 on the issue, up to the approval.
    third = opened(stack, "mean() is wrong")
    github.assign(REPO, third, bot, by=sample_repo.AUTHOR)
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    wait_until(
        lambda: [r.state for r in runs_of(stack, REPO, third)] == ["skipped", "awaiting_approval"],
        what="the assigned run to wait for approval",
    )
    assert reactions_on(stack, f"issue:{REPO}#{third}") == [("eyes", bot)]
    wait_until(
        lambda: "Awaiting approval" in "".join(comments_on(stack, REPO, third)),
        what="the status comment",
    )
    assert len(comments_on(stack, REPO, third)) == 1
    assert len(stack.approval_messages()) == 1
    assert len(runs_of(stack, REPO, first)) == 1
    started = rows(stack, "SELECT id FROM runs WHERE state NOT IN ('skipped')")
    assert [r.id for r in started] == [f"{REPO}#{third}:2"]
    assert len(stack.model.requests) == len(sample_repo.fix_script())
