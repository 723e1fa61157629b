"""A local package index on the Docker bridge, and sample repositories as git checkouts."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docker.errors import NotFound

from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.run_resources import remove_run
from devtools.package_index import PackageIndex, docker_bridge_address
from devtools.sample_repos import python_app


@pytest.fixture(scope="session")
def package_index(
    docker_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PackageIndex]:
    root = tmp_path_factory.mktemp("index")
    index = PackageIndex(root, docker_bridge_address(docker_client))
    python_app.publish(root / "wheels")
    yield index.start()
    index.stop()


def checkout(root: Path, files: dict[str, str]) -> Path:
    """``files`` committed in a fresh git repository at ``root``."""
    root.mkdir(parents=True)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "initial"]):
        subprocess.run(["git", *ident, *args], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture
def make_sandbox(docker_client: Any) -> Iterator[Callable[..., DockerSandbox]]:
    """Sandboxes with a repository copied in; removed (with their caches) at the end."""
    started: list[DockerSandbox] = []

    def make(repo: Path, config: DockerSandboxConfig) -> DockerSandbox:
        sandbox = DockerSandbox(f"setup-{uuid.uuid4().hex[:8]}", config, client=docker_client)
        started.append(sandbox)
        sandbox.ensure()
        sandbox.copy_in(repo)
        return sandbox

    yield make
    caches = {s.config.cache_volume for s in started if s.config.cache_volume}
    for sandbox in started:
        remove_run(docker_client, sandbox.run_id)
    for name in caches:
        with contextlib.suppress(NotFound):
            docker_client.volumes.get(name).remove(force=True)
