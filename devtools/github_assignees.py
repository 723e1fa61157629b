"""Issue assignment: who may be assigned, and the REST routes that assign.

Who is assignable (https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/assigning-issues-and-pull-requests-to-other-github-users):
"anyone who has commented on the issue or pull request, anyone with write permissions to
the repository, and organization members with read permissions to the repository" —
and, as with Copilot, the bot user of a coding-agent App installed on the repository.
Who may assign: triage and up ("Assign or remove assignees" is a triage permission,
https://docs.github.com/en/organizations/managing-user-access-to-your-organizations-repositories/managing-repository-roles/repository-roles-for-an-organization).
"""

from __future__ import annotations

from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access
from devtools.github_issues import find_issue
from devtools.github_state import Site

Reply = tuple[int, Any]

MAX_ASSIGNEES = 10
"""An issue has at most 10 assignees (#add-assignees-to-an-issue: "Adds up to 10")."""
_ASSIGNERS = ("triage", "write", "maintain", "admin")
_WRITERS = ("write", "maintain", "admin")


def assignable(site: Site, repo: str, login: str, issue: int | None = None) -> bool:
    state = site.state
    if login.lower() == site.app.bot_login.lower():
        return state.installation_for(repo) is not None
    role = state.role_of(repo, login)
    if role is not None and state.base_role_of(role) in _WRITERS:
        return True
    if login in state.org_members:
        return True
    return issue is not None and any(c.author == login for c in state.comments_on(repo, issue))


def may_assign(site: Site, repo: str, login: str) -> bool:
    role = site.state.role_of(repo, login)
    return role is not None and site.state.base_role_of(role) in _ASSIGNERS


def _logins(call: Call) -> list[str]:
    names = call.body.get("assignees") if isinstance(call.body, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError(422, "Validation Failed", [{"field": "assignees", "code": "invalid"}])
    return names


# https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue — "Users already
# assigned to an issue are not replaced"; a login that cannot be assigned is dropped silently
# (201 with the issue as it is), as GitHub does.
def add_assignees(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    issue = find_issue(call.site, repo.full_name, int(call.args[2]))
    for login in _logins(call):
        known = call.site.state.is_user(login) or login.lower() == call.site.app.bot_login.lower()
        if not known or not assignable(call.site, repo.full_name, login, issue.number):
            continue
        if login not in issue.assignees and len(issue.assignees) < MAX_ASSIGNEES:
            issue.assignees.append(login)
    return 201, objects.issue(call.site, issue)


# https://docs.github.com/en/rest/issues/assignees#remove-assignees-from-an-issue
def remove_assignees(call: Call) -> Reply:
    repo = repo_access(call, "issues", "write")
    issue = find_issue(call.site, repo.full_name, int(call.args[2]))
    gone = set(_logins(call))
    issue.assignees[:] = [login for login in issue.assignees if login not in gone]
    return 200, objects.issue(call.site, issue)


# https://docs.github.com/en/rest/issues/assignees#check-if-a-user-can-be-assigned — 204 when
# the user can be assigned, 404 otherwise.
def check_assignee(call: Call) -> Reply:
    repo = repo_access(call, "issues", "read")
    if not assignable(call.site, repo.full_name, call.args[2]):
        raise ApiError(404, "Not Found")
    return 204, None


# https://docs.github.com/en/rest/issues/assignees#check-if-a-user-can-be-assigned-to-a-issue
def check_issue_assignee(call: Call) -> Reply:
    repo = repo_access(call, "issues", "read")
    issue = find_issue(call.site, repo.full_name, int(call.args[2]))
    if not assignable(call.site, repo.full_name, call.args[3], issue.number):
        raise ApiError(404, "Not Found")
    return 204, None
