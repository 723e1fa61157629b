"""People and CI acting on pull requests, and the webhooks GitHub sends the App for it.

Each action changes the emulation's state under its lock, then delivers outside it, in the
order GitHub sends them (which GitHub does not promise to keep on arrival:
https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks).
Events the App does not subscribe to (``check_run`` for Fixer) are dropped by the sender.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from devtools import github_objects as objects
from devtools.github_actions import workflow_json, workflow_run_json
from devtools.github_assignees import assignable, may_assign
from devtools.github_checks import ACTIONS_APP, run_json, suite_json
from devtools.github_issues import find_issue
from devtools.github_pr_data import Annotation, CheckRun, CheckSuite, Job, WorkflowRun
from devtools.github_repos import commit_of, git
from devtools.github_reviews import comment_json, new_review, review_json
from devtools.github_state import PullRequest, now_iso
from devtools.github_webhooks import WebhookSender

Json = dict[str, Any]

# The highest-priority conclusion of its runs is the suite's
# (https://docs.github.com/en/rest/guides/using-the-rest-api-to-interact-with-checks).
CONCLUSION_PRIORITY = (
    "action_required", "cancelled", "timed_out", "failure", "startup_failure",
    "stale", "neutral", "skipped", "success",
)  # fmt: skip


def _pull(sender: WebhookSender, repo: str, number: int) -> PullRequest:
    found = sender.site.state.pulls.get((repo, number))
    if found is None:
        raise ValueError(f"{repo}#{number} is not a pull request")
    return found


def _pull_payload(
    sender: WebhookSender, action: str, pull: PullRequest, who: str, **extra: Any
) -> Json:
    rendered = objects.pull(sender.site, pull)
    return sender.envelope(
        action, pull.repo, who, number=pull.number, pull_request=rendered, **extra
    )


def submit_review(
    sender: WebhookSender, repo: str, number: int, event: str, body: str, author: str,
    comments: list[Json] | None = None,
) -> Json:  # fmt: skip
    """``author`` submits a review (``APPROVE``, ``REQUEST_CHANGES`` or ``COMMENT``) with inline
    ``comments`` (``path``, ``line``, optional ``start_line`` and ``side``, ``body``).

    GitHub sends ``pull_request_review_comment.created`` for each inline comment, then
    ``pull_request_review.submitted`` (the comments are created first: octokit/webhooks'
    examples show the comment created a second before the review is submitted).
    """
    with sender.site.state.lock:
        pull = _pull(sender, repo, number)
        sender.site.state.user_id(author)
        review, made = new_review(sender.site, pull, author, event, body, comments or [])
        payloads = [
            (
                "pull_request_review_comment",
                _pull_payload(
                    sender, "created", pull, author, comment=comment_json(sender.site, c)
                ),
            )
            for c in made
        ]
        rendered = review_json(sender.site, review, webhook=True)
        payloads.append(
            (
                "pull_request_review",
                _pull_payload(sender, "submitted", pull, author, review=rendered),
            )
        )
    for name, payload in payloads:
        sender.maybe_deliver(name, payload)
    return review_json(sender.site, review)


def comment_on_pull(sender: WebhookSender, repo: str, number: int, body: str, author: str) -> Json:
    """A comment in the PR's conversation: ``issue_comment`` whose ``issue.pull_request`` is set."""
    with sender.site.state.lock:
        _pull(sender, repo, number)
    return sender.comment(repo, number, body, author)


def assign(sender: WebhookSender, repo: str, number: int, assignee: str, by: str) -> Json:
    """``by`` assigns ``assignee``: ``issues.assigned`` (or ``pull_request.assigned``), sent by
    ``by``, with ``assignee`` beside the issue (https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues)."""
    site = sender.site
    with site.state.lock:
        target = find_issue(site, repo, number)
        if not may_assign(site, repo, by):
            raise ValueError(f"{by} cannot assign on {repo}: it takes triage permission or more")
        if not assignable(site, repo, assignee, number):
            raise ValueError(
                f"{assignee} cannot be assigned on {repo} (GitHub does not offer them)"
            )
        if assignee not in target.assignees:
            target.assignees.append(assignee)
        site.state.user_id(by)
        who = objects.user(site, assignee)
        if isinstance(target, PullRequest):
            event, payload = (
                "pull_request",
                _pull_payload(sender, "assigned", target, by, assignee=who),
            )
        else:
            target.updated_at = now_iso()
            rendered = objects.issue(site, target)
            event, payload = (
                "issues",
                sender.envelope("assigned", repo, by, issue=rendered, assignee=who),
            )
    sender.maybe_deliver(event, payload)
    return payload


def close_pull(
    sender: WebhookSender, repo: str, number: int, by: str, *, merge: bool = False
) -> Json:
    """Close (or merge, with a merge commit on the base branch): ``pull_request.closed`` with
    ``merged`` true or false (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request)."""
    site = sender.site
    with site.state.lock:
        pull = _pull(sender, repo, number)
        if pull.state != "open":
            raise ValueError(f"{repo}#{number} is already closed")
        if merge:
            pull.merge_commit_sha = _merge(sender, pull, by)
            pull.merged_at = now_iso()
        pull.state, pull.closed_at = "closed", now_iso()
        payload = _pull_payload(sender, "closed", pull, by)
    sender.maybe_deliver("pull_request", payload)
    return payload


def _merge(sender: WebhookSender, pull: PullRequest, by: str) -> str:
    site, repo = sender.site, pull.repo
    base = commit_of(site, repo, f"refs/heads/{pull.base}")
    tree = git(site, repo, "merge-tree", "--write-tree", str(base), pull.head_sha)
    if base is None or tree is None:
        raise ValueError(f"{repo}#{pull.number} cannot be merged: it conflicts with {pull.base}")
    message = f"Merge pull request #{pull.number} from {repo.split('/')[0]}/{pull.head}"
    done = subprocess.run(
        ["git", "-C", str(site.git.repo_path(repo)), "commit-tree", tree.decode().split()[0],
         "-p", base, "-p", pull.head_sha, "-m", message],
        capture_output=True, check=True, env={**os.environ, **_identity(by)},
    )  # fmt: skip
    merged = done.stdout.decode().strip()
    git(site, repo, "update-ref", f"refs/heads/{pull.base}", merged, base)
    return merged


def _identity(login: str) -> dict[str, str]:
    email = f"{login}@users.noreply.example.com"
    return {
        "GIT_AUTHOR_NAME": login, "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": login, "GIT_COMMITTER_EMAIL": email,
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    }  # fmt: skip


def push_to_branch(
    sender: WebhookSender, repo: str, branch: str, files: dict[str, str], author: str, message: str
) -> str:
    """``author`` commits ``files`` on ``branch`` and pushes; each open PR from that branch
    moves its head and gets ``pull_request.synchronize`` with ``before`` and ``after``."""
    site = sender.site
    bare = site.git.repo_path(repo)
    env = {**os.environ, **_identity(author)}
    with tempfile.TemporaryDirectory(prefix="fixer-push-") as work:

        def run(*args: str) -> None:
            subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)

        run("clone", "--quiet", "--branch", branch, str(bare), ".")
        for path, text in files.items():
            (Path(work) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(work) / path).write_text(text)
        run("add", "--all")
        run("commit", "--quiet", "-m", message)
        run("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
    payloads = []
    with site.state.lock:
        after = commit_of(site, repo, f"refs/heads/{branch}") or ""
        site.state.user_id(author)
        for pull in site.state.pulls.values():
            if pull.repo == repo and pull.head == branch and pull.state == "open":
                before, pull.head_sha = pull.head_sha, after
                payloads.append(
                    _pull_payload(sender, "synchronize", pull, author, before=before, after=after)
                )
    for payload in payloads:
        sender.maybe_deliver("pull_request", payload)
    return after


def complete_check_suite(
    sender: WebhookSender, repo: str, sha: str, runs: list[Json], *, conclusion: str | None = None,
    app: str = "github-actions", workflow: str = "CI", sender_login: str | None = None,
) -> int:  # fmt: skip
    """CI finishes on ``sha``: one check run per ``runs`` entry (``name``, ``conclusion``,
    optional ``title``/``summary``/``text``, ``annotations`` and, for Actions, ``log`` and
    ``steps``), then the suite. Sends ``check_run.completed`` per run, ``check_suite.completed``
    and, for GitHub Actions, ``workflow_run.completed``. Returns the suite's id."""
    site, state = sender.site, sender.site.state
    with state.lock:
        # A push to a PR's branch moves the PR's head at once on GitHub (the App's own git
        # push too, which the REST side only sees when it next reads the PR).
        for pull in state.pulls.values():
            if pull.repo == repo and pull.state == "open":
                pull.head_sha = commit_of(site, repo, f"refs/heads/{pull.head}") or pull.head_sha
        branch = next(
            (p.head for p in state.pulls.values() if p.repo == repo and p.head_sha == sha), None
        )
        overall = conclusion or min((r["conclusion"] for r in runs), key=CONCLUSION_PRIORITY.index)
        suite = CheckSuite(state.next_id(), repo, sha, branch, app, overall)
        state.pr.check_suites[suite.id] = suite
        who = sender_login or repo.split("/", 1)[0]
        actions = app == ACTIONS_APP["slug"]
        flow = WorkflowRun(
            state.next_id(),
            repo,
            suite.id,
            workflow,
            f".github/workflows/{workflow.lower()}.yml",
            sha,
            branch,
            "pull_request" if branch else "push",
            overall,
        )
        if actions:
            state.pr.workflow_runs[flow.id] = flow
        payloads: list[tuple[str, Json]] = []
        for spec in runs:
            run = CheckRun(
                state.next_id(), repo, suite.id, spec["name"], sha, spec["conclusion"],
                spec.get("title"), spec.get("summary"), spec.get("text"),
                [Annotation(**a) for a in spec.get("annotations", [])],
            )  # fmt: skip
            if actions:
                run.job_id = run.id
                steps = [
                    (str(n), str(c)) for n, c in spec.get("steps", [("Run tests", run.conclusion)])
                ]
                log = str(spec.get("log", ""))
                state.pr.jobs[run.id] = Job(
                    run.id, repo, flow.id, run.name, run.conclusion, sha, log, steps
                )
            state.pr.check_runs[run.id] = run
            payloads.append(
                (
                    "check_run",
                    sender.envelope("completed", repo, who, check_run=run_json(site, run)),
                )
            )
        payloads.append(
            (
                "check_suite",
                sender.envelope("completed", repo, who, check_suite=suite_json(site, suite)),
            )
        )
        if actions:
            payloads.append(
                (
                    "workflow_run",
                    sender.envelope(
                        "completed",
                        repo,
                        who,
                        workflow_run=workflow_run_json(site, flow),
                        workflow=workflow_json(site, flow),
                    ),
                )
            )
    for name, payload in payloads:
        sender.maybe_deliver(name, payload)
    return suite.id
