"""The GitHub App adapter: githubkit clients with the least permissions each call needs.

Every installation client is scoped to one repository and to the permissions of the job
at hand (DESIGN §5): reading the config never holds a token that could push.
"""

from __future__ import annotations

import base64
import functools
import ssl
import time
from typing import Any, Literal

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RequestFailed
from githubkit.retry import RETRY_DEFAULT, RetryOption

from app.config import Settings
from app.github_throttle import InstallationWrites, rate_limit_retry

Permission = Literal["read", "write"]

# Named scopes so call sites say what they need, not how tokens work.
READ_CONTENTS: dict[str, Permission] = {"contents": "read", "metadata": "read"}
COMMENT: dict[str, Permission] = {"issues": "write", "metadata": "read"}
PUSH_AND_PR: dict[str, Permission] = {
    "contents": "write",
    "pull_requests": "write",
    "metadata": "read",
}
PERMISSION_TTL_SECONDS = 60.0
"""How long a collaborator's permission is trusted without asking GitHub again."""


def retry_unless_unsafe(exc: GitHubException, retry_count: int) -> RetryOption:
    """githubkit's retries, rate limits waited out as GitHub asks (app/github_throttle.py),
    except a POST that failed with a server error.

    GitHub may have done the POST before failing (a comment made, then a 502): blindly
    re-sending would do it twice. Those go back to the step, which looks before it acts.
    """
    waited = rate_limit_retry(exc, retry_count)
    if waited is not None:
        return waited
    if (
        isinstance(exc, RequestFailed)
        and exc.request.method == "POST"
        and exc.response.status_code >= 500
    ):
        return RetryOption(False)
    return RETRY_DEFAULT(exc, retry_count)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context every GitHub client shares (httpx's default: certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR), built once per process."""
    return httpx.create_ssl_context()


class GitHubApp:
    """The App's identity plus factories for narrowly scoped installation clients."""

    def __init__(self, settings: Settings) -> None:
        settings.require("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY")
        assert settings.github_app_id is not None and settings.private_key_pem is not None
        self._auth = AppAuthStrategy(settings.github_app_id, settings.private_key_pem)
        self.base_url = settings.github_api_url
        # Tokens are cached per App object, not per process; and HTTP caching is off,
        # because GitHub lets GETs be cached for 60 s, and a stale comment list would
        # hide the marker that keeps the status comment single.
        self._cache = MemCacheStrategy()
        self._permissions: dict[tuple[int, str, str], tuple[float, str]] = {}
        self._writes = InstallationWrites()
        self.app = self._client(self._auth)

    def for_repo(
        self, installation_id: int, repo_full_name: str, permissions: dict[str, Permission]
    ) -> GitHub[Any]:
        """A client whose token is limited to ``repo_full_name`` and ``permissions``."""
        name = repo_full_name.split("/", 1)[1]
        auth = self._auth.as_installation(
            installation_id,
            repositories=[name],
            permissions=permissions,  # type: ignore[arg-type]
        )
        return self._client(auth, installation_id)

    def _client(self, auth: Any, installation_id: int | None = None) -> GitHub[Any]:
        # One write at a time per installation (the App's own calls share one lane).
        return GitHub(
            auth,
            base_url=self.base_url + "/",
            auto_retry=retry_unless_unsafe,
            cache_strategy=self._cache,
            http_cache=False,
            throttler=self._writes.of(installation_id),
            # githubkit opens a new httpx client per request; without a context of our own
            # each one loads the CA bundle again, ~20 ms of event loop per GitHub call.
            ssl_verify=shared_ssl_context(),
        )

    async def authenticated_app(self) -> dict[str, Any]:
        """``GET /app`` with the App JWT (proves the id and key belong together)."""
        response = await self.app.arequest("GET", "/app")
        return dict(response.json())

    async def read_file(
        self, installation_id: int, repo_full_name: str, path: str, ref: str | None = None
    ) -> str | None:
        """Text of ``path`` on ``ref`` (default branch when None); None when absent."""
        owner, repo = repo_full_name.split("/", 1)
        gh = self.for_repo(installation_id, repo_full_name, READ_CONTENTS)
        params = {"ref": ref} if ref else None
        try:
            response = await gh.arequest(
                "GET", f"/repos/{owner}/{repo}/contents/{path}", params=params
            )
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                return None
            raise
        body = response.json()
        if not isinstance(body, dict) or body.get("type") != "file":
            return None
        return base64.b64decode(body.get("content") or "").decode("utf-8", errors="replace")

    async def permission_of(self, installation_id: int, repo_full_name: str, username: str) -> str:
        """``username``'s base permission on the repository: ``admin``, ``write``, ``read``
        or ``none`` (``none`` too when GitHub does not know the login).

        The ``permission`` field, not ``role_name``: GitHub maps maintain to write, triage to
        read and a custom role to its base there, while ``role_name`` carries a custom role's
        own name (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-
        permissions-for-a-user). Answers are kept for a minute per installation, repository
        and login: a burst of deliveries (an issue opened with labels) asks GitHub once.
        """
        key = (installation_id, repo_full_name.lower(), username.lower())
        cached = self._permissions.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        owner, repo = repo_full_name.split("/", 1)
        gh = self.for_repo(installation_id, repo_full_name, {"metadata": "read"})
        try:
            response = await gh.arequest(
                "GET", f"/repos/{owner}/{repo}/collaborators/{username}/permission"
            )
        except RequestFailed as exc:
            if exc.response.status_code != 404:
                raise
            permission = "none"
        else:
            permission = str(response.json().get("permission") or "none")
        self._permissions[key] = (time.monotonic() + PERMISSION_TTL_SECONDS, permission)
        return permission

    def _split(self, repo_full_name: str) -> tuple[str, str]:
        owner, repo = repo_full_name.split("/", 1)
        return owner, repo

    async def repository(self, installation_id: int, repo_full_name: str) -> dict[str, Any]:
        """``GET /repos/{owner}/{repo}``: default branch and the ``clone_url`` to use."""
        owner, repo = self._split(repo_full_name)
        gh = self.for_repo(installation_id, repo_full_name, {"metadata": "read"})
        return dict((await gh.arequest("GET", f"/repos/{owner}/{repo}")).json())

    async def issue(self, installation_id: int, repo_full_name: str, number: int) -> dict[str, Any]:
        owner, repo = self._split(repo_full_name)
        gh = self.for_repo(installation_id, repo_full_name, {"issues": "read", "metadata": "read"})
        return dict((await gh.arequest("GET", f"/repos/{owner}/{repo}/issues/{number}")).json())

    async def mint_token(
        self, installation_id: int, repo_full_name: str, permissions: dict[str, Permission]
    ) -> str:
        """A raw installation token for git over HTTPS, limited to one repository.

        Only the host's git uses it, for the one fetch or push it was minted for; it is
        never stored and never enters a sandbox.
        """
        _, repo = self._split(repo_full_name)
        response = await self.app.arequest(
            "POST",
            f"/app/installations/{installation_id}/access_tokens",
            json={"repositories": [repo], "permissions": permissions},
        )
        return str(response.json()["token"])

    async def find_pull(
        self, installation_id: int, repo_full_name: str, branch: str
    ) -> dict[str, Any] | None:
        """The pull request whose head is ``branch`` in this repository, in any state."""
        owner, repo = self._split(repo_full_name)
        gh = self.for_repo(installation_id, repo_full_name, PUSH_AND_PR)
        response = await gh.arequest(
            "GET",
            f"/repos/{owner}/{repo}/pulls",
            params={"head": f"{owner}:{branch}", "state": "all", "per_page": 10},
        )
        pulls = response.json()
        return dict(pulls[0]) if pulls else None

    async def create_pull(
        self,
        installation_id: int,
        repo_full_name: str,
        *,
        branch: str,
        base: str,
        title: str,
        body: str,
    ) -> dict[str, Any]:
        owner, repo = self._split(repo_full_name)
        gh = self.for_repo(installation_id, repo_full_name, PUSH_AND_PR)
        response = await gh.arequest(
            "POST",
            f"/repos/{owner}/{repo}/pulls",
            json={"title": title, "head": branch, "base": base, "body": body},
        )
        return dict(response.json())

    def mint_token_sync(
        self, installation_id: int, repo_full_name: str, permissions: dict[str, Permission]
    ) -> str:
        """:meth:`mint_token` for code running in a worker thread (git, the sandbox)."""
        _, repo = self._split(repo_full_name)
        response = self.app.request(
            "POST",
            f"/app/installations/{installation_id}/access_tokens",
            json={"repositories": [repo], "permissions": permissions},
        )
        return str(response.json()["token"])
