"""Repository routes: the repository, its contents, collaborators and pull requests.

Contents and branches are read from the real bare repository on the git server, so what
the API shows is exactly what a clone sees (and what a push changed).
"""

from __future__ import annotations

import base64
import subprocess
from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access, validation_failed
from devtools.github_state import PullRequest, Repo, Site

Reply = tuple[int, Any]


def git(site: Site, repo: str, *args: str) -> bytes | None:
    """Output of a git command in the bare repository; None when git says no."""
    done = subprocess.run(
        ["git", "-C", str(site.git.repo_path(repo)), *args], capture_output=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def commit_of(site: Site, repo: str, ref: str) -> str | None:
    out = git(site, repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return out.decode().strip() if out else None


def get_repo(call: Call) -> Reply:
    return 200, objects.repository(call.site, repo_access(call, "metadata", "read"))


def get_contents(call: Call) -> Reply:
    repo = repo_access(call, "contents", "read")
    site, path = call.site, call.args[2].strip("/")
    ref = call.query.get("ref") or repo.default_branch
    if commit_of(site, repo.full_name, ref) is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    kind = git(site, repo.full_name, "cat-file", "-t", f"{ref}:{path}")
    if kind is None:
        raise ApiError(404, "Not Found")
    if kind.strip() == b"tree":
        listing = git(site, repo.full_name, "ls-tree", f"{ref}:{path}") or b""
        entries = []
        for line in listing.decode().splitlines():
            meta, name = line.split("\t", 1)
            _, kind_name, sha = meta.split()
            child = f"{path}/{name}" if path else name
            entry_type = "dir" if kind_name == "tree" else "file"
            entries.append(_entry(site, repo, ref, child, sha, entry_type, size=0))
        return 200, entries
    data = git(site, repo.full_name, "cat-file", "blob", f"{ref}:{path}") or b""
    sha = (git(site, repo.full_name, "rev-parse", f"{ref}:{path}") or b"").decode().strip()
    body = _entry(site, repo, ref, path, sha, "file", size=len(data))
    body.update(encoding="base64", content=base64.encodebytes(data).decode())
    return 200, body


def _entry(
    site: Site, repo: Repo, ref: str, path: str, sha: str, kind: str, size: int
) -> dict[str, Any]:
    api = f"{site.api_url}/repos/{repo.full_name}"
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": f"{api}/contents/{path}?ref={ref}",
        "git_url": f"{api}/git/blobs/{sha}",
        "html_url": f"{site.web_url}/{repo.full_name}/blob/{ref}/{path}",
        "download_url": None,
    }


# https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
# ``permission`` holds the legacy base role (admin, write, read, none: maintain reads as
# write, triage as read, a custom role as its base); ``role_name`` holds the role's own
# name, custom roles included. An unknown login is 404 "<login> is not a user". Someone
# with no role reads a public repository (``read``; cf. aws-ia/cloudformation-github-
# resource-providers#14) and nothing of a private one: strict where the docs are silent.
_LEGACY = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}
_PUSH_LEVELS = ("read", "triage", "write", "maintain", "admin")


def get_permission(call: Call) -> Reply:
    repo = repo_access(call, "metadata", "read")
    site, login = call.site, call.args[2]
    if not site.state.is_user(login):
        raise ApiError(404, f"{login} is not a user")
    role = site.state.role_of(repo.full_name, login)
    if role is None:
        role = "none" if repo.private else "read"
    base = site.state.base_role_of(role)
    legacy = _LEGACY.get(base, "none")
    return 200, {
        "permission": legacy,
        "role_name": role,
        "user": _collaborator(site, login, base, role),
    }


def _collaborator(site: Site, login: str, base: str, role: str) -> dict[str, Any]:
    """The ``nullable-collaborator`` shape: a user plus the permissions hash and role."""
    level = _PUSH_LEVELS.index(base) if base in _PUSH_LEVELS else -1
    names = {"pull": 0, "triage": 1, "push": 2, "maintain": 3, "admin": 4}
    return {
        **objects.user(site, login),
        "permissions": {name: level >= rank for name, rank in names.items()},
        "role_name": role,
    }


def _branch(head: str) -> str:
    return head.split(":", 1)[1] if ":" in head else head


def list_pulls(call: Call) -> Reply:
    repo = repo_access(call, "pull_requests", "read")
    state = call.query.get("state", "open")
    head, base = call.query.get("head"), call.query.get("base")
    found = [
        _refreshed(call.site, p)
        for (name, _), p in sorted(call.site.state.pulls.items())
        if name == repo.full_name
        and (state == "all" or p.state == state)
        and (head is None or (head.split(":", 1)[0] == repo.owner and _branch(head) == p.head))
        and (base is None or p.base == base)
    ]
    return 200, [objects.pull(call.site, p) for p in page_of(call, found)]


def page_of(call: Call, items: list[Any]) -> list[Any]:
    per_page = min(int(call.query.get("per_page", "30")), 100)
    page = max(int(call.query.get("page", "1")), 1)
    return items[(page - 1) * per_page : page * per_page]


def _refreshed(site: Site, pull: PullRequest) -> PullRequest:
    """An open PR follows its head branch, as on GitHub when someone pushes to it."""
    if pull.state == "open":
        pull.head_sha = commit_of(site, pull.repo, f"refs/heads/{pull.head}") or pull.head_sha
    return pull


# A pull request's body is an issue body: over 65,536 characters GitHub answers 422 with
# {"resource": "Issue", "code": "custom", "field": "body",
# "message": "body is too long (maximum is 65536 characters)"}
# (https://docs.github.com/rest/pulls/pulls#create-a-pull-request, as reported by its callers).
PULL_BODY_LIMIT = 65536


def _check_pull_body(text: Any) -> None:
    if isinstance(text, str) and len(text) > PULL_BODY_LIMIT:
        raise validation_failed(
            resource="Issue",
            code="custom",
            field="body",
            message=f"body is too long (maximum is {PULL_BODY_LIMIT} characters)",
        )


def create_pull(call: Call) -> Reply:
    repo = repo_access(call, "pull_requests", "write")
    site, body = call.site, call.body or {}
    title, head, base = body.get("title"), body.get("head"), body.get("base")
    if not title or not head or not base:
        raise validation_failed(resource="PullRequest", code="missing_field", field="title")
    _check_pull_body(body.get("body"))
    branch = _branch(head)
    head_sha = commit_of(site, repo.full_name, f"refs/heads/{branch}")
    if head_sha is None:
        raise validation_failed(resource="PullRequest", field="head", code="invalid")
    if commit_of(site, repo.full_name, f"refs/heads/{base}") is None:
        raise validation_failed(resource="PullRequest", field="base", code="invalid")
    for pull in site.state.pulls.values():
        if pull.repo == repo.full_name and pull.head == branch and pull.state == "open":
            raise validation_failed(
                resource="PullRequest",
                code="custom",
                message=f"A pull request already exists for {repo.owner}:{branch}.",
            )
    # ``draft`` (https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request) where the
    # plan offers drafts; elsewhere GitHub refuses the pull request with a 422.
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        raise validation_failed(resource="PullRequest", code="invalid", field="draft")
    if draft and not repo.drafts_supported:
        raise validation_failed(
            resource="PullRequest",
            code="custom",
            message="Draft pull requests are not supported in this repository.",
        )
    number = site.state.next_number(repo.full_name)
    pull = PullRequest(
        repo=repo.full_name,
        number=number,
        id=site.state.next_id(),
        title=title,
        body=body.get("body"),
        head=branch,
        base=base,
        head_sha=head_sha,
        author=site.app.bot_login,
        draft=draft,
    )
    site.state.pulls[(repo.full_name, number)] = pull
    return 201, objects.pull(site, pull)


def update_pull(call: Call) -> Reply:
    """``PATCH /pulls/{n}``: title, body, state (https://docs.github.com/rest/pulls/pulls#update-a-pull-request)."""
    repo = repo_access(call, "pull_requests", "write")
    pull = call.site.state.pulls.get((repo.full_name, int(call.args[2])))
    if pull is None:
        raise ApiError(404, "Not Found")
    body = call.body or {}
    _check_pull_body(body.get("body"))
    if body.get("state") not in (None, "open", "closed"):
        raise validation_failed(resource="PullRequest", code="invalid", field="state")
    pull.title = body.get("title") or pull.title
    pull.body = body.get("body", pull.body)
    pull.state = body.get("state") or pull.state
    return 200, objects.pull(call.site, _refreshed(call.site, pull))


def get_pull(call: Call) -> Reply:
    repo = repo_access(call, "pull_requests", "read")
    pull = call.site.state.pulls.get((repo.full_name, int(call.args[2])))
    if pull is None:
        raise ApiError(404, "Not Found")
    return 200, objects.pull(call.site, _refreshed(call.site, pull))
