"""Issue routes: issues, comments, labels and reactions, all written as the App's bot."""

from __future__ import annotations

from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access, validation_failed
from devtools.github_repos import page_of
from devtools.github_state import Comment, Issue, PullRequest, Reaction, Site, now_iso

Reply = tuple[int, Any]

# https://docs.github.com/en/rest/reactions/reactions#about-reactions — the only contents.
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")

# GitHub refuses comment bodies over 65,536 characters with a 422; this is the shape it sends
# today (seen on the comments API: https://docs.github.com/rest/issues/comments#create-an-issue-comment
# answers {"resource": "IssueComment", "code": "unprocessable", "field": "data",
# "message": "Body is too long (maximum is 65536 characters)"}).
BODY_LIMIT = 65536


def check_comment_body(text: str) -> None:
    if len(text) > BODY_LIMIT:
        raise validation_failed(
            resource="IssueComment",
            code="unprocessable",
            field="data",
            message=f"Body is too long (maximum is {BODY_LIMIT} characters)",
        )


def find_issue(site: Site, repo: str, number: int) -> Issue | PullRequest:
    """Issue numbers and PR numbers are one space: a PR answers on the issues API too."""
    found = site.state.issues.get((repo, number)) or site.state.pulls.get((repo, number))
    if found is None:
        raise ApiError(404, "Not Found")
    return found


def new_issue(
    site: Site,
    repo: str,
    title: str,
    body: str | None,
    author: str,
    assoc: str,
    labels: list[str] | None = None,
) -> Issue:
    """An issue created with ``labels`` in one go (forms, templates, ``--label``): its
    ``updated_at`` stays its ``created_at``, as in GitHub's own labeled-at-creation payloads."""
    number = site.state.next_number(repo)
    issue = Issue(repo, number, site.state.next_id(), title, body, author, assoc)
    issue.labels = list(dict.fromkeys(labels or []))
    issue.updated_at = issue.created_at
    site.state.issues[(repo, number)] = issue
    return issue


def new_comment(site: Site, repo: str, number: int, body: str, author: str, assoc: str) -> Comment:
    comment = Comment(site.state.next_id(), repo, number, body, author, assoc)
    site.state.comments[comment.id] = comment
    return comment


def get_issue(call: Call) -> Reply:
    repo = repo_access(call, "issues", "read")
    return 200, objects.issue(call.site, find_issue(call.site, repo.full_name, int(call.args[2])))


def create_issue(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    body = call.body or {}
    if not body.get("title"):
        raise validation_failed(resource="Issue", code="missing_field", field="title")
    site = call.site
    labels = [str(name) for name in body.get("labels") or []]
    issue = new_issue(
        site, repo.full_name, body["title"], body.get("body"), site.app.bot_login, "NONE", labels
    )
    return 201, objects.issue(site, issue)


def list_comments(call: Call) -> Reply:
    repo = repo_access(call, "issues", "read")
    number = int(call.args[2])
    find_issue(call.site, repo.full_name, number)
    found = sorted(call.site.state.comments_on(repo.full_name, number), key=lambda c: c.id)
    return 200, [objects.comment(call.site, c) for c in page_of(call, found)]


def create_comment(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    number = int(call.args[2])
    find_issue(call.site, repo.full_name, number)
    text = (call.body or {}).get("body")
    if not isinstance(text, str) or not text:
        raise validation_failed(resource="IssueComment", code="missing_field", field="body")
    check_comment_body(text)
    site = call.site
    comment = new_comment(site, repo.full_name, number, text, site.app.bot_login, "NONE")
    return 201, objects.comment(site, comment)


def edit_comment(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    comment = call.site.state.comments.get(int(call.args[2]))
    if comment is None or comment.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    text = (call.body or {}).get("body")
    if not isinstance(text, str) or not text:
        raise validation_failed(resource="IssueComment", code="missing_field", field="body")
    check_comment_body(text)
    comment.body, comment.updated_at = text, now_iso()
    return 200, objects.comment(call.site, comment)


# https://docs.github.com/en/rest/issues/labels#add-labels-to-an-issue — a pull request is
# labelled through its issue, with "Issues" or "Pull requests" write; a label the repository
# lacks is created (colour ededed, no description: github/docs#35718).
def add_labels(call: Call) -> Reply:
    number = int(call.args[2])
    if (f"{call.args[0]}/{call.args[1]}", number) in call.site.state.pulls:
        try:
            repo = repo_access(call, "pull_requests", "write")
        except ApiError as exc:
            if exc.status != 403:
                raise
            repo = repo_access(call, "issues", "write")
    else:
        repo = repo_access(call, "issues", "write")
    issue = find_issue(call.site, repo.full_name, number)
    # GitHub takes ``{"labels": [...]}`` or a bare list.
    names = call.body.get("labels") if isinstance(call.body, dict) else call.body
    if not isinstance(names, list) or not names:
        raise validation_failed(resource="Label", code="missing_field", field="labels")
    for name in names:
        if str(name) not in issue.labels:
            issue.labels.append(str(name))
            if isinstance(issue, Issue):
                issue.updated_at = now_iso()
    return 200, [objects.label(call.site, repo.full_name, n) for n in issue.labels]


# Reactions: https://docs.github.com/en/rest/reactions/reactions#create-reaction-for-an-issue
# and #create-reaction-for-an-issue-comment. Both need the "Issues" repository permission
# (write) on the token; 201 when created, 200 with the existing one when the same user
# already reacted with that content, 422 for any other content.


def react_to_comment(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    comment = call.site.state.comments.get(int(call.args[2]))
    if comment is None or comment.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return _react(call, f"comment:{comment.id}")


def react_to_issue(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    number = int(call.args[2])
    find_issue(call.site, repo.full_name, number)
    return _react(call, f"issue:{repo.full_name}#{number}")


def _react(call: Call, subject: str) -> Reply:
    content = call.body.get("content") if isinstance(call.body, dict) else None
    if content not in REACTIONS:
        raise validation_failed(resource="Reaction", code="invalid", field="content")
    site, login = call.site, call.site.app.bot_login
    # The same reaction by the same user again is not a second one: 200 with the first.
    for reaction in site.state.reactions:
        if (reaction.subject, reaction.content, reaction.user) == (subject, content, login):
            return 200, _reaction(site, reaction)
    reaction = Reaction(site.state.next_id(), subject, content, login)
    site.state.reactions.append(reaction)
    return 201, _reaction(site, reaction)


def _reaction(site: Site, reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id,
        "node_id": objects.node_id("Reaction", reaction.id),
        "user": objects.user(site, reaction.user),
        "content": reaction.content,
        "created_at": reaction.created_at,
    }
