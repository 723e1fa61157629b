"""A local GitHub for ``fixer demo`` and the end-to-end tests: REST, git over HTTP, webhooks.

Fixer reaches it only as it reaches GitHub: ``GITHUB_API_URL`` (GHES-style ``/api/v3``
prefix) and the ``clone_url`` the API returns. Nothing in the product knows it is here.

Usage::

    with GitHubEmulation(app_id, private_pem, secret, webhook_url=url, root=tmp) as gh:
        gh.create_repo("octo/app", files={"app.py": "..."})
        installation = gh.install(["octo/app"])
        gh.open_issue("octo/app", "Bug", "It breaks", author="octo")
        settings = load_settings(github_api_url=gh.api_url, ...)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from devtools import github_pr_events as pr_events
from devtools import github_repos
from devtools.git_http import GitHttpServer
from devtools.git_receive import PushRules
from devtools.github_server import Faults, RestHandler
from devtools.github_state import App, Delivery, GitHubState, Repo, Site, Team
from devtools.github_webhooks import WebhookSender

_SAMPLE_DEV = {
    "GIT_AUTHOR_NAME": "Sample Dev",
    "GIT_AUTHOR_EMAIL": "sample.dev@example.com",
    "GIT_COMMITTER_NAME": "Sample Dev",
    "GIT_COMMITTER_EMAIL": "sample.dev@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def public_key_of(pem: str) -> str:
    """The public half of ``pem``; a public key is returned as is."""
    if "PRIVATE KEY" not in pem:
        return pem
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class GitHubEmulation:
    """The App's view of GitHub on 127.0.0.1: one REST server and one git server."""

    def __init__(
        self,
        app_id: int,
        private_key_pem: str,
        webhook_secret: str,
        webhook_url: str | None = None,
        root: Path | None = None,
        *,
        slug: str = "fixer",
        seed: int = 0,
    ) -> None:
        """``private_key_pem`` may be the App's public key: only the public half is needed,
        except for :meth:`register_manifest_code`, which hands the private key out."""
        self._owned_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="fixer-github-")) if root is None else root
        self._private_pem = private_key_pem if "PRIVATE KEY" in private_key_pem else None
        self.webhook_url = webhook_url
        self.state = GitHubState()
        self.git = GitHttpServer(self.root / "git")
        app = App(app_id, slug, slug.capitalize(), "fixer-dev", public_key_of(private_key_pem))
        self.site = Site(app=app, state=self.state, git=self.git)
        self.git.rules = self._push_rules
        self.faults = Faults(seed=seed)
        self.webhooks = WebhookSender(self.site, webhook_secret, lambda: self.webhook_url)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return self.site.api_url

    def start(self) -> str:
        self.git.start()
        handler = type("Handler", (RestHandler,), {"site": self.site, "faults": self.faults})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.site.web_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.site.api_url = f"{self.site.web_url}/api/v3"
        self.git.web_url = self.site.web_url
        return self.api_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.git.stop()
        if self._owned_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> GitHubEmulation:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def create_repo(
        self,
        full_name: str,
        files: dict[str, str] | None = None,
        default_branch: str = "main",
        private: bool = True,
    ) -> Repo:
        """A repository whose first commit (by "Sample Dev") holds ``files``."""
        bare = self.git.create_repo(full_name, default_branch=default_branch)
        if files:
            with tempfile.TemporaryDirectory(prefix="fixer-seed-") as work:
                tree = Path(work)
                for path, text in files.items():
                    (tree / path).parent.mkdir(parents=True, exist_ok=True)
                    (tree / path).write_text(text)
                env = {**os.environ, **_SAMPLE_DEV}
                for args in (
                    ["init", "--quiet", f"--initial-branch={default_branch}"],
                    ["add", "--all"],
                    ["commit", "--quiet", "-m", "Initial commit"],
                    ["push", "--quiet", str(bare), f"HEAD:refs/heads/{default_branch}"],
                ):
                    subprocess.run(["git", *args], cwd=tree, env=env, check=True)
        with self.state.lock:
            repo = Repo(self.state.next_id() % 1_000_000_000, full_name, default_branch, private)
            self.state.repos[full_name] = repo
        return repo

    def _push_rules(self, repo: str) -> PushRules:
        with self.state.lock:
            found = self.state.repos.get(repo)
            return found.push_rules() if found is not None else PushRules()

    def branch_head(self, repo: str, branch: str) -> str | None:
        return github_repos.commit_of(self.site, repo, f"refs/heads/{branch}")

    def file_at(self, repo: str, ref: str, path: str) -> str | None:
        data = github_repos.git(self.site, repo, "cat-file", "blob", f"{ref}:{path}")
        return None if data is None else data.decode()

    def set_permission(self, login: str, role: str, base: str | None = None) -> None:
        """Make ``login`` a collaborator with ``role`` (admin, maintain, write, triage, read).

        Any other ``role`` is an organisation's custom repository role, which inherits
        ``base`` (read, triage, write or maintain): https://docs.github.com/en/organizations/
        managing-user-access-to-your-organizations-repositories/managing-repository-roles/
        about-custom-repository-roles
        """
        base_roles = ("admin", "maintain", "write", "triage", "read")
        if role not in base_roles and base not in base_roles[1:]:
            raise ValueError(f"custom role {role!r} needs a base role: read/triage/write/maintain")
        with self.state.lock:
            self.state.permissions[login] = role
            if role not in base_roles:
                self.state.custom_roles[role] = str(base)
            self.state.user_id(login)

    def add_org_member(self, login: str, role: str = "write", *, public: bool = False) -> None:
        """``login`` joins the repositories' organisation, with ``role`` on its repositories.

        Membership is private unless made public, and webhooks show a private member's
        ``author_association`` as NONE (or CONTRIBUTOR), never MEMBER.
        """
        self.set_permission(login, role)
        with self.state.lock:
            self.state.org_members[login] = public

    def add_team(self, team: str, members: list[str], repos: list[str]) -> None:
        """``org/slug``: a team of the repositories' organisation that can reach ``repos``."""
        org, slug = team.split("/", 1)
        with self.state.lock:
            self.state.teams[slug.lower()] = Team(slug.lower(), org, list(members), list(repos))
            for login in members:
                self.state.org_members.setdefault(login, False)
                self.state.user_id(login)

    def register_manifest_code(self, code: str) -> dict[str, Any]:
        """Make ``code`` exchangeable once at ``POST /app-manifests/{code}/conversions``."""
        if self._private_pem is None:
            raise ValueError("register_manifest_code needs the App's private key")
        app = self.site.app
        conversion = {
            "id": app.id,
            "slug": app.slug,
            "node_id": f"A_{app.id}",
            "name": app.name,
            "owner": {"login": app.owner, "type": "User"},
            "html_url": f"{self.site.web_url}/apps/{app.slug}",
            "pem": self._private_pem,
            "webhook_secret": self.webhooks.secret,
            "client_id": f"Iv1.{app.id:016x}",
            "client_secret": f"{code}-client-secret".ljust(40, "0"),
            "permissions": dict(app.permissions),
            "events": list(app.events),
        }
        with self.state.lock:
            self.state.manifest_codes[code] = conversion
        return conversion

    # People acting on the emulated GitHub; each tells the App through a webhook.

    def deliver(self, event: str, payload: dict[str, Any]) -> Delivery:
        return self.webhooks.deliver(event, payload)

    def install(self, repos: list[str], account: str | None = None) -> int:
        return self.webhooks.install(repos, account)

    def open_issue(
        self,
        repo: str,
        title: str,
        body: str | None,
        author: str,
        association: str | None = None,
        labels: list[str] | None = None,
    ) -> dict[str, Any]:
        return self.webhooks.open_issue(repo, title, body, author, association, labels)

    def comment(
        self, repo: str, issue: int, body: str, author: str, association: str | None = None
    ) -> dict[str, Any]:
        return self.webhooks.comment(repo, issue, body, author, association)

    def add_label(self, repo: str, issue: int, label: str, author: str) -> dict[str, Any]:
        return self.webhooks.add_label(repo, issue, label, author)

    # Pull requests after they open: reviews, CI, assignment, closing (devtools.github_pr_events).

    def submit_review(
        self,
        repo: str,
        pull: int,
        event: str,
        body: str,
        author: str,
        comments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """``event``: ``APPROVE``, ``REQUEST_CHANGES`` or ``COMMENT``; ``comments``: inline
        comments with ``path``, ``line`` (optional ``start_line``, ``side``) and ``body``."""
        return pr_events.submit_review(self.webhooks, repo, pull, event, body, author, comments)

    def comment_on_pull(self, repo: str, pull: int, body: str, author: str) -> dict[str, Any]:
        return pr_events.comment_on_pull(self.webhooks, repo, pull, body, author)

    def complete_check_suite(
        self,
        repo: str,
        sha: str,
        runs: list[dict[str, Any]],
        *,
        conclusion: str | None = None,
        app: str = "github-actions",
        workflow: str = "CI",
    ) -> int:
        return pr_events.complete_check_suite(
            self.webhooks, repo, sha, runs, conclusion=conclusion, app=app, workflow=workflow
        )

    def assign(self, repo: str, issue: int, assignee: str, by: str) -> dict[str, Any]:
        return pr_events.assign(self.webhooks, repo, issue, assignee, by)

    def close_pull(self, repo: str, pull: int, by: str) -> dict[str, Any]:
        return pr_events.close_pull(self.webhooks, repo, pull, by)

    def merge_pull(self, repo: str, pull: int, by: str) -> dict[str, Any]:
        return pr_events.close_pull(self.webhooks, repo, pull, by, merge=True)

    def push_to_branch(
        self, repo: str, branch: str, files: dict[str, str], author: str, message: str = "Update"
    ) -> str:
        return pr_events.push_to_branch(self.webhooks, repo, branch, files, author, message)
