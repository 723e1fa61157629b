"""Review requests on a pull request: users and teams asked to review, as strict as GitHub.

https://docs.github.com/en/rest/pulls/review-requests — ``GET`` lists who is asked and has
not reviewed yet ("Once a requested reviewer submits a review, they are no longer considered
a requested reviewer"); ``POST`` takes ``reviewers`` (logins) and ``team_reviewers`` (team
slugs, without the organisation) and needs "Pull requests" write. GitHub refuses the whole
request with a 422 when one name is wrong: the author ("Review cannot be requested from pull
request author.", seen by every action that requests reviews: peter-evans/create-pull-request
#1835, mergeability/mergeable#486) or someone who is not a collaborator, or a team that
cannot see the repository ("Reviews may only be requested from collaborators. One or more of
the users or teams you specified is not a collaborator of the OWNER/REPO repository.").
Asking someone already asked changes nothing.
"""

from __future__ import annotations

from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access, validation_failed
from devtools.github_state import PullRequest, Site

Reply = tuple[int, Any]


def _pull(call: Call, level: str) -> PullRequest:
    repo = repo_access(call, "pull_requests", level)
    pull = call.site.state.pulls.get((repo.full_name, int(call.args[2])))
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


def _names(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise validation_failed(resource="PullRequest", code="invalid", field=key)
    return list(value)


def may_review(site: Site, repo: str, login: str) -> bool:
    """A collaborator (any role, the owner included) or a member of the organisation."""
    state = site.state
    return state.is_user(login) and (
        state.role_of(repo, login) is not None or login in state.org_members
    )


def team_reaches(site: Site, repo: str, slug: str) -> bool:
    team = site.state.teams.get(slug.lower())
    return team is not None and team.org == repo.split("/", 1)[0] and repo in team.repos


def request_reviewers(call: Call) -> Reply:
    pull = _pull(call, "write")
    site, body = call.site, call.body if isinstance(call.body, dict) else {}
    users, teams = _names(body, "reviewers"), _names(body, "team_reviewers")
    if not users and not teams:
        raise validation_failed(resource="PullRequest", code="missing_field", field="reviewers")
    if any(login.lower() == pull.author.lower() for login in users):
        raise ApiError(422, "Review cannot be requested from pull request author.")
    outsiders = [login for login in users if not may_review(site, pull.repo, login)]
    if outsiders or not all(team_reaches(site, pull.repo, slug) for slug in teams):
        raise ApiError(
            422,
            "Reviews may only be requested from collaborators. One or more of the users or "
            f"teams you specified is not a collaborator of the {pull.repo} repository.",
        )
    for login in users:
        if login.lower() not in (name.lower() for name in pull.requested_reviewers):
            pull.requested_reviewers.append(login)
    for slug in teams:
        if slug.lower() not in pull.requested_teams:
            pull.requested_teams.append(slug.lower())
    return 201, objects.pull(site, pull)


def list_requested(call: Call) -> Reply:
    pull = _pull(call, "read")
    return 200, {
        "users": [objects.user(call.site, login) for login in pull.requested_reviewers],
        "teams": [objects.team(call.site, pull.repo, slug) for slug in pull.requested_teams],
    }


def remove_requested(call: Call) -> Reply:
    pull = _pull(call, "write")
    body = call.body if isinstance(call.body, dict) else {}
    users = {login.lower() for login in _names(body, "reviewers")}
    teams = {slug.lower() for slug in _names(body, "team_reviewers")}
    pull.requested_reviewers[:] = [u for u in pull.requested_reviewers if u.lower() not in users]
    pull.requested_teams[:] = [t for t in pull.requested_teams if t not in teams]
    return 200, objects.pull(call.site, pull)


def review_given(pull: PullRequest, login: str) -> None:
    """A submitted review answers the request: the reviewer leaves the requested list."""
    kept = [name for name in pull.requested_reviewers if name.lower() != login.lower()]
    pull.requested_reviewers[:] = kept
