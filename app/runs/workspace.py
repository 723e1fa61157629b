"""The host side of a run's code: the mirror, the base worktree, and (re)building the sandbox.

Tokens are minted inside the call that uses them and never leave it: a step's output (which
DBOS stores) carries commits and hashes, never a credential.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from agents.sandbox.config import DockerSandboxConfig, SetupNetwork
from agents.sandbox.dependency_cache import cache_volume_name
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.protocol import CommandResult, SandboxSnapshot
from agents.sandbox.trust import read_ca_certs
from app.config import Settings
from app.git_host import GitHostError
from app.git_mirror import RepoMirror
from app.github import READ_CONTENTS, GitHubApp
from app.repo_config import RepoConfig


def sandbox_key(database_url: str, run_id: str) -> str:
    """The run's label on the Docker engine, scoped to this deployment's database.

    Two deployments sharing a Docker host (staging and production, or two test stacks)
    can have runs with the same id; scoping keeps each from adopting the other's container.
    """
    return f"{run_id}@{hashlib.sha256(database_url.encode()).hexdigest()[:8]}"


FIXER_IMAGES = ("default", "universal")


def image_tag(image: str) -> str:
    """``image:`` in fixer.yml: a bare name (``universal``) means Fixer's own image."""
    return f"fixer-sandbox:{image}" if image in FIXER_IMAGES else image


def setup_network(settings: Settings) -> SetupNetwork:
    """The FIXER_SANDBOX_* set-up network settings (none is a secret)."""
    ca = settings.fixer_sandbox_ca_certs
    return SetupNetwork(
        ca_certs=read_ca_certs(ca) if ca is not None else b"",
        proxy=settings.fixer_sandbox_proxy,
        no_proxy=settings.fixer_sandbox_no_proxy,
        pip_index_url=settings.fixer_sandbox_pip_index_url,
        npm_registry=settings.fixer_sandbox_npm_registry,
    )


class RunWorkspace:
    """Everything needed to put a run's code into its sandbox, on any worker."""

    def __init__(
        self,
        settings: Settings,
        github: GitHubApp,
        *,
        run_id: str,
        installation_id: int,
        repo_full_name: str,
        clone_url: str,
        config: RepoConfig,
    ) -> None:
        self.settings = settings
        self.github = github
        self.run_id = run_id
        self.installation_id = installation_id
        self.repo_full_name = repo_full_name
        self.clone_url = clone_url
        self.config = config
        self.mirror = RepoMirror(settings.fixer_cache_dir / "mirrors")

    def sandbox(self) -> DockerSandbox:
        """The run's sandbox object (no container is touched until it is used)."""
        settings = self.settings
        # The dependency cache belongs to this repository in this deployment, never another.
        cache_key = sandbox_key(settings.database_url, self.repo_full_name)
        return DockerSandbox(
            sandbox_key(settings.database_url, self.run_id),
            DockerSandboxConfig(
                image=image_tag(self.config.image or settings.fixer_sandbox_image),
                network=self.config.network,
                setup_network=setup_network(settings),
                cache_volume=cache_volume_name(cache_key) if settings.fixer_sandbox_cache else None,
            ),
        )

    def fetch(self, ref: str | None = None) -> str:
        """Update the mirror with a read-only token for this repository; the head commit."""
        token = self.github.mint_token_sync(
            self.installation_id, self.repo_full_name, READ_CONTENTS
        )
        return self.mirror.fetch(self.clone_url, token, ref)

    def base_dir(self, base_commit: str) -> Path:
        """A checkout of ``base_commit`` on this host, fetched again if this host lacks it."""
        key = hashlib.sha256(self.run_id.encode()).hexdigest()[:16]
        dest = self.settings.fixer_cache_dir / "worktrees" / f"{key}-{base_commit[:12]}"
        # Complete once it no longer borrows the mirror's objects (a checkout is renamed into
        # place whole; one left half-made by an older version is made again).
        if (dest / ".git").exists() and not (dest / ".git/objects/info/alternates").exists():
            return dest
        try:
            return self.mirror.worktree(self.clone_url, base_commit, dest)
        except GitHostError:  # this host has no mirror yet, or one without the commit
            self.fetch()
            return self.mirror.worktree(self.clone_url, base_commit, dest)

    def start(self, sandbox: DockerSandbox, base_commit: str) -> list[CommandResult]:
        """A fresh container with the base tree and the repository's setup commands run."""
        sandbox.ensure()
        sandbox.copy_in(self.base_dir(base_commit))
        return sandbox.prepare(self.config.setup)

    def rebuild(
        self, sandbox: DockerSandbox, base_commit: str, latest: SandboxSnapshot | None
    ) -> None:
        """Bring back a lost container exactly as it was after the last change."""
        if latest is None:
            self.start(sandbox, base_commit)
        else:
            sandbox.restore(self.base_dir(base_commit), latest, self.config.setup)
