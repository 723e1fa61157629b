"""Real GitHub on day one: an issue created with labels, permissions asked of GitHub rather
than read from ``author_association``, and the 👀 that says a run was accepted.

Every repository here names a sandbox image that does not exist, so an accepted run stops
at the sandbox, before any model call: acceptance shows as the status comment and 👀.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text

from devtools import sample_repo
from devtools.stack import Stack, wait_until

FORMS, LABELLED = "acme/forms", "acme/labelled"
NO_IMAGE = "image: fixer-sandbox:does-not-exist\n"


def make_repo(stack: Stack, name: str, config: str) -> None:
    stack.github.create_repo(name, files={**sample_repo.FILES, ".github/fixer.yml": config})
    stack.github.install([name])


def rows(stack: Stack, query: str, **params: Any) -> list[Any]:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query), params).all())
    finally:
        engine.dispose()


def runs_of(stack: Stack, repo: str, number: int) -> list[Any]:
    return rows(
        stack,
        "SELECT id, state, error FROM runs WHERE repo_full_name = :r AND issue_number = :n"
        " ORDER BY attempt",
        r=repo,
        n=number,
    )


def finished(stack: Stack, repo: str, number: int, count: int = 1) -> bool:
    found = runs_of(stack, repo, number)
    return len(found) == count and all(r.state in ("failed", "skipped") for r in found)


def comments_on(stack: Stack, repo: str, number: int) -> list[str]:
    return [c.body for c in stack.github.state.comments_on(repo, number)]


def reactions_on(stack: Stack, subject: str) -> list[tuple[str, str]]:
    return [(r.content, r.user) for r in stack.github.state.reactions if r.subject == subject]


def outcomes(stack: Stack, repo: str, number: int) -> list[tuple[str, str | None, str]]:
    """(action, label, Fixer's recorded outcome) of each issues delivery for the issue."""
    sent = [
        d
        for d in stack.github.state.deliveries
        if d.event == "issues"
        and d.payload["repository"]["full_name"] == repo
        and d.payload["issue"]["number"] == number
    ]
    recorded = {
        row.id: row.outcome
        for row in rows(stack, "SELECT id, outcome FROM webhook_deliveries WHERE event='issues'")
    }
    return [
        (d.payload["action"], (d.payload.get("label") or {}).get("name"), recorded.get(d.id, ""))
        for d in sent
    ]


def test_issue_created_with_labels_starts_one_run_and_permission_is_asked_of_github(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack([])
    stack.start_fixer()
    make_repo(stack, FORMS, NO_IMAGE)
    bot = f"{stack.github.site.app.slug}[bot]"

    # An issue form with two labels: opened, then labeled twice. One run, no notice.
    stack.github.open_issue(FORMS, "Crash", "It crashes", sample_repo.AUTHOR, labels=["bug", "ui"])
    wait_until(lambda: finished(stack, FORMS, 1), what="the run of the labelled issue")
    [status] = comments_on(stack, FORMS, 1)
    assert "already active" not in status and "Fixer stopped" in status
    run_id = f"{FORMS}#1:1"
    wait_until(lambda: all(o[2] for o in outcomes(stack, FORMS, 1)), what="delivery outcomes")
    assert outcomes(stack, FORMS, 1) == [
        ("opened", None, f"started:{run_id}"),
        ("labeled", "bug", f"ignored:label 'bug' is part of the issue's creation, which run "
         f"{run_id} already handles"),
        ("labeled", "ui", f"ignored:label 'ui' is part of the issue's creation, which run "
         f"{run_id} already handles"),
    ]  # fmt: skip
    assert reactions_on(stack, f"issue:{FORMS}#1") == [("eyes", bot)]

    # A read-only collaborator shows as COLLABORATOR: GitHub's answer (read) decides.
    stack.github.set_permission("reader", "read")
    stack.github.open_issue(FORMS, "Idea", "Please", "reader")
    wait_until(lambda: finished(stack, FORMS, 2), what="the reader's run to be refused")
    [refused] = runs_of(stack, FORMS, 2)
    assert refused.state == "skipped"
    assert refused.error == (
        f"reader has read permission on {FORMS}; starting a run needs write, maintain or admin"
    )
    assert comments_on(stack, FORMS, 2) == [] and reactions_on(stack, f"issue:{FORMS}#2") == []
    assert stack.github.state.deliveries[-1].payload["issue"]["author_association"] == (
        "COLLABORATOR"
    )

    # A private member of the organisation shows as NONE, yet has write: /fix is accepted.
    stack.github.add_org_member("quiet", "write")
    fix = stack.github.comment(FORMS, 2, "/fix", "quiet")
    assert fix["author_association"] == "NONE"
    wait_until(lambda: finished(stack, FORMS, 2, count=2), what="the member's /fix run")
    assert reactions_on(stack, f"comment:{fix['id']}") == [("eyes", bot)]
    assert any("Fixer stopped" in body for body in comments_on(stack, FORMS, 2))
    assert stack.model.requests == []


def test_trigger_label_set_at_creation_starts_one_run_whatever_the_order_of_arrival(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack([])
    stack.start_fixer()
    make_repo(stack, LABELLED, "trigger: fixer\n" + NO_IMAGE)

    # GitHub does not promise the order: here both labeled deliveries overtake opened.
    with stack.github.webhooks.held() as sent:
        stack.github.open_issue(
            LABELLED, "Bug", "Broken", sample_repo.AUTHOR, labels=["fixer", "bug"]
        )
    for event, payload in [sent[1], sent[2], sent[0]]:
        stack.github.deliver(event, payload)
    wait_until(lambda: finished(stack, LABELLED, 1), what="the run the trigger label started")
    [status] = comments_on(stack, LABELLED, 1)
    assert "Fixer stopped" in status
    wait_until(lambda: all(o[2] for o in outcomes(stack, LABELLED, 1)), what="outcomes")
    started = [o for o in outcomes(stack, LABELLED, 1) if o[2].startswith("started:")]
    assert started == [("labeled", "fixer", f"started:{LABELLED}#1:1")]

    # Opened without the trigger label: skipped, silently. The label added later starts it.
    stack.github.open_issue(LABELLED, "Other", "Also broken", sample_repo.AUTHOR)
    wait_until(lambda: finished(stack, LABELLED, 2), what="the skipped run")
    assert "without the trigger label 'fixer'" in runs_of(stack, LABELLED, 2)[0].error
    assert comments_on(stack, LABELLED, 2) == []
    stack.github.add_label(LABELLED, 2, "fixer", sample_repo.AUTHOR)
    wait_until(lambda: finished(stack, LABELLED, 2, count=2), what="the labelled run")
    [status] = comments_on(stack, LABELLED, 2)
    assert "Fixer stopped" in status and "already active" not in status
    assert stack.model.requests == []
