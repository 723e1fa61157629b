"""App authentication as GitHub does it: the App's JWT, installation tokens, repository scope.

A JWT (RS256, ``iss`` = App id) is checked against the App's public key. Tokens are minted
per installation, narrowed to the repositories and permissions asked for (never wider than
the installation), and registered with the git server, which lets them push only with
``contents: write``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from devtools import github_objects as objects
from devtools.github_state import Repo, Site, Token, permits

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """An answer other than success, in GitHub's error shape."""

    def __init__(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "documentation_url": DOCS}
        if errors:
            self.body["errors"] = errors


def validation_failed(**error: Any) -> ApiError:
    return ApiError(422, "Validation Failed", [error])


@dataclass
class Call:
    """One REST request, parsed: what a route handler sees."""

    site: Site
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    args: tuple[str, ...] = ()
    """The route pattern's groups, e.g. owner, name, number."""

    def credential(self) -> str:
        # githubkit sends ``token <t>`` for installation tokens and ``Bearer <jwt>`` for the
        # App; GitHub accepts either word for either kind.
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() in ("token", "bearer") else ""


def require_app_jwt(call: Call) -> None:
    """401 unless the request carries a current JWT signed by the App's key."""
    try:
        claims = jwt.decode(
            call.credential(),
            call.site.app.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"]},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise ApiError(401, f"A JSON web token could not be decoded ({exc})") from None
    if str(claims["iss"]) != str(call.site.app.id):
        raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
    if claims["exp"] - claims["iat"] > 660:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")


def mint_token(call: Call, installation_id: int) -> dict[str, Any]:
    """``POST /app/installations/{id}/access_tokens``: a token narrowed as asked."""
    require_app_jwt(call)
    site, body = call.site, call.body or {}
    state = site.state
    found = state.installations.get(installation_id)
    if found is None:
        raise ApiError(404, "Not Found")
    repos = _selected_repos(call, found.repos, body)
    permissions = dict(body.get("permissions") or site.app.permissions)
    for name, level in permissions.items():
        if level not in ("read", "write") or not permits(site.app.permissions, name, level):
            raise ApiError(422, "The permissions requested are not granted to this installation.")
    token = Token(
        token="ghs_" + secrets.token_urlsafe(27).replace("-", "A").replace("_", "b")[:36],
        installation_id=installation_id,
        repos=frozenset(repos),
        permissions=permissions,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    state.tokens[token.token] = token
    if "contents" in permissions:
        site.git.add_token(
            token.token,
            repos,
            write=permissions["contents"] == "write",
            workflows=permissions.get("workflows") == "write",
        )
    return {
        "token": token.token,
        "expires_at": token.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "permissions": permissions,
        "repository_selection": "selected",
        "repositories": [objects.repository(site, state.repos[r]) for r in sorted(repos)],
    }


def _selected_repos(call: Call, installed: list[str], body: dict[str, Any]) -> list[str]:
    names = body.get("repositories")
    ids = body.get("repository_ids")
    if not names and not ids:
        return list(installed)
    by_name = {r.split("/", 1)[1]: r for r in installed}
    by_id = {call.site.state.repos[r].id: r for r in installed}
    chosen: list[str] = []
    for key, table in ((names or [], by_name), (ids or [], by_id)):
        for wanted in key:
            if wanted not in table:
                raise ApiError(
                    422,
                    "There is at least one repository that does not exist or is not "
                    "accessible to the parent installation.",
                )
            chosen.append(table[wanted])
    return sorted(set(chosen))


def repo_access(call: Call, permission: str, level: str) -> Repo:
    """The repository named by the path, if the caller's token reaches it with ``level``.

    Like GitHub: a bad token is 401, a repository the token cannot see is 404 (existence is
    not revealed), a visible repository without the permission is 403.
    """
    site = call.site
    token = site.state.tokens.get(call.credential())
    if token is None or token.expires_at < datetime.now(UTC):
        raise ApiError(401, "Bad credentials")
    full_name = f"{call.args[0]}/{call.args[1]}"
    repo = site.state.repos.get(full_name)
    if repo is None or full_name not in token.repos:
        raise ApiError(404, "Not Found")
    if not permits(token.permissions, permission, level):
        raise ApiError(403, "Resource not accessible by integration")
    if level == "write" and repo.archived:
        # https://docs.github.com/en/repositories/archiving-a-github-repository/archiving-repositories
        raise ApiError(403, "Repository was archived so is read-only.")
    return repo
