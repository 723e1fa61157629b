"""The JSON shapes GitHub returns and sends, built from the emulation's state.

Shapes follow the real payloads in ``tests/fixtures/github_rest`` and ``github_webhooks``
(octokit/webhooks examples, GitHub's OpenAPI examples), trimmed to the fields a client reads.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from devtools.github_state import Comment, Installation, Issue, PullRequest, Repo, Site

Json = dict[str, Any]


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user(site: Site, login: str) -> Json:
    is_bot = login.endswith("[bot]")
    uid = site.state.user_id(login)
    # A bot's API URL escapes the brackets, and its profile is the App's page, as GitHub's
    # payloads show (octokit/webhooks examples: ".../users/renovate%5Bbot%5D", "/apps/renovate").
    api = f"{site.api_url}/users/{quote(login)}"
    profile = f"apps/{login.removesuffix('[bot]')}" if is_bot else login
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("Bot" if is_bot else "User", uid),
        "avatar_url": f"{site.web_url}/avatars/{quote(login)}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{site.web_url}/{profile}",
        **{f"{name}_url": f"{api}/{path}" for name, path in _USER_LINKS.items()},
        "type": "Bot" if is_bot else "User",
        "site_admin": False,
    }


# githubkit validates the full models (e.g. the repositories in a token response), so every
# link field GitHub sends is present, in GitHub's URI-template form.
_USER_LINKS = {
    "followers": "followers",
    "following": "following{/other_user}",
    "gists": "gists{/gist_id}",
    "starred": "starred{/owner}{/repo}",
    "subscriptions": "subscriptions",
    "organizations": "orgs",
    "repos": "repos",
    "events": "events{/privacy}",
    "received_events": "received_events",
}
_REPO_LINKS = {
    "archive": "{archive_format}{/ref}",
    "assignees": "assignees{/user}",
    "blobs": "git/blobs{/sha}",
    "branches": "branches{/branch}",
    "collaborators": "collaborators{/collaborator}",
    "comments": "comments{/number}",
    "commits": "commits{/sha}",
    "compare": "compare/{base}...{head}",
    "contents": "contents/{+path}",
    "contributors": "contributors",
    "deployments": "deployments",
    "downloads": "downloads",
    "events": "events",
    "forks": "forks",
    "git_commits": "git/commits{/sha}",
    "git_refs": "git/refs{/sha}",
    "git_tags": "git/tags{/sha}",
    "hooks": "hooks",
    "issue_comment": "issues/comments{/number}",
    "issue_events": "issues/events{/number}",
    "issues": "issues{/number}",
    "keys": "keys{/key_id}",
    "labels": "labels{/name}",
    "languages": "languages",
    "merges": "merges",
    "milestones": "milestones{/number}",
    "notifications": "notifications{?since,all,participating}",
    "pulls": "pulls{/number}",
    "releases": "releases{/id}",
    "stargazers": "stargazers",
    "statuses": "statuses/{sha}",
    "subscribers": "subscribers",
    "subscription": "subscription",
    "tags": "tags",
    "teams": "teams",
    "trees": "git/trees{/sha}",
}


def repository(site: Site, repo: Repo) -> Json:
    api = f"{site.api_url}/repos/{repo.full_name}"
    return {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user(site, repo.owner),
        "html_url": f"{site.web_url}/{repo.full_name}",
        "description": None,
        "fork": False,
        "url": api,
        **{f"{name}_url": f"{api}/{path}" for name, path in _REPO_LINKS.items()},
        "clone_url": site.git.clone_url(repo.full_name),
        "git_url": site.git.clone_url(repo.full_name).replace("http://", "git://"),
        "ssh_url": f"git@127.0.0.1:{repo.full_name}.git",
        "svn_url": f"{site.web_url}/{repo.full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "license": None,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 0,
        "open_issues": 0,
        "open_issues_count": 0,
        "default_branch": repo.default_branch,
        "visibility": "private" if repo.private else "public",
        "has_issues": True,
        "has_pages": False,
        "archived": repo.archived,
        "disabled": False,
        "pushed_at": repo.created_at,
        "created_at": repo.created_at,
        "updated_at": repo.created_at,
    }


def label(site: Site, repo: str, name: str) -> Json:
    lid = site.state.user_id(f"label:{repo}:{name}")
    return {
        "id": lid,
        "node_id": node_id("Label", lid),
        "url": f"{site.api_url}/repos/{repo}/labels/{name}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def issue(site: Site, item: Issue | PullRequest) -> Json:
    """An issue; a pull request seen through the issues API carries ``pull_request``."""
    api = f"{site.api_url}/repos/{item.repo}"
    is_pull = isinstance(item, PullRequest)
    if isinstance(item, PullRequest):
        kind, labels, updated, association = "pull", item.labels, item.created_at, "NONE"
    else:
        kind, labels, updated, association = (
            "issues",
            item.labels,
            item.updated_at,
            item.association,
        )
    body: Json = {
        "url": f"{api}/issues/{item.number}",
        "repository_url": api,
        "comments_url": f"{api}/issues/{item.number}/comments",
        "html_url": f"{site.web_url}/{item.repo}/{kind}/{item.number}",
        "id": item.id,
        "node_id": node_id("Issue", item.id),
        "number": item.number,
        "title": item.title,
        "user": user(site, item.author),
        "labels": [label(site, item.repo, name) for name in labels],
        "state": item.state,
        "locked": False,
        "assignee": user(site, item.assignees[0]) if item.assignees else None,
        "assignees": [user(site, login) for login in item.assignees],
        "comments": len(site.state.comments_on(item.repo, item.number)),
        "created_at": item.created_at,
        "updated_at": updated,
        "closed_at": item.closed_at if isinstance(item, PullRequest) else None,
        "author_association": association,
        "body": item.body,
    }
    if is_pull:
        body["pull_request"] = {"url": f"{api}/pulls/{item.number}"}
    return body


def comment(site: Site, item: Comment) -> Json:
    return {
        "url": f"{site.api_url}/repos/{item.repo}/issues/comments/{item.id}",
        "html_url": f"{site.web_url}/{item.repo}/issues/{item.issue}#issuecomment-{item.id}",
        "issue_url": f"{site.api_url}/repos/{item.repo}/issues/{item.issue}",
        "id": item.id,
        "node_id": node_id("IssueComment", item.id),
        "user": user(site, item.author),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "author_association": item.association,
        "body": item.body,
    }


def pull(site: Site, item: PullRequest) -> Json:
    repo = site.state.repos[item.repo]
    return {
        "url": f"{site.api_url}/repos/{item.repo}/pulls/{item.number}",
        "id": item.id,
        "node_id": node_id("PullRequest", item.id),
        "html_url": f"{site.web_url}/{item.repo}/pull/{item.number}",
        "number": item.number,
        "state": item.state,
        "locked": False,
        "title": item.title,
        "user": user(site, item.author),
        "body": item.body,
        "created_at": item.created_at,
        "updated_at": item.created_at,
        "closed_at": item.closed_at,
        "merged_at": item.merged_at,
        "merge_commit_sha": item.merge_commit_sha,
        "assignee": user(site, item.assignees[0]) if item.assignees else None,
        "assignees": [user(site, login) for login in item.assignees],
        "draft": item.draft,
        "labels": [label(site, item.repo, name) for name in item.labels],
        "requested_reviewers": [user(site, login) for login in item.requested_reviewers],
        "requested_teams": [team(site, item.repo, slug) for slug in item.requested_teams],
        "merged": item.merged_at is not None,
        "head": {
            "label": f"{repo.owner}:{item.head}",
            "ref": item.head,
            "sha": item.head_sha,
            "repo": repository(site, repo),
        },
        "base": {
            "label": f"{repo.owner}:{item.base}",
            "ref": item.base,
            "repo": repository(site, repo),
        },
    }


def team(site: Site, repo: str, slug: str) -> Json:
    """The ``team`` shape (https://docs.github.com/en/rest/teams/teams#get-a-team-by-name)."""
    org = repo.split("/", 1)[0]
    tid = site.state.user_id(f"team:{org}/{slug}")
    api = f"{site.api_url}/organizations/{site.state.user_id(org)}/team/{tid}"
    return {
        "id": tid,
        "node_id": node_id("Team", tid),
        "url": api,
        "html_url": f"{site.web_url}/orgs/{org}/teams/{slug}",
        "name": slug,
        "slug": slug,
        "description": None,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{api}/members{{/member}}",
        "repositories_url": f"{api}/repos",
        "parent": None,
    }


def installation(site: Site, item: Installation) -> Json:
    return {
        "id": item.id,
        "account": user(site, item.account),
        "repository_selection": "selected",
        "access_tokens_url": f"{site.api_url}/app/installations/{item.id}/access_tokens",
        "repositories_url": f"{site.api_url}/installation/repositories",
        "html_url": f"{site.web_url}/settings/installations/{item.id}",
        "app_id": site.app.id,
        "app_slug": site.app.slug,
        "target_id": site.state.user_id(item.account),
        "target_type": "User",
        "permissions": dict(site.app.permissions),
        "events": list(site.app.events),
        "single_file_name": None,
        "suspended_at": None,
    }


def app(site: Site) -> Json:
    return {
        "id": site.app.id,
        "slug": site.app.slug,
        "node_id": node_id("App", site.app.id),
        "name": site.app.name,
        "owner": user(site, site.app.owner),
        "description": "",
        "external_url": site.web_url,
        "html_url": f"{site.web_url}/apps/{site.app.slug}",
        "permissions": dict(site.app.permissions),
        "events": list(site.app.events),
        "installations_count": len(site.state.installations),
    }
