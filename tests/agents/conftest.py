"""Sandbox fixtures: a small generated git repository copied into a real container.

Containers are shared per module (or per session for the tools) because starting one costs
about half a second; every fixture removes what it started, by run label.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.run_resources import remove_run

HOST_CANARY = "FIXER_TEST_HOST_CANARY"
SECRET = "ghs_canarytoken123"


def git(repo: Path, *args: str) -> str:
    """Run git on the host in ``repo`` with a fixed identity."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def make_repo(root: Path) -> Path:
    """A small repository: text, a binary, an executable, an ignored pattern, a token URL."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# demo\n\nA tiny project.\n")
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "app.py").write_text(
        "def add(a, b):\n    return a - b\n\n\ndef main():\n    print(add(2, 3))\n"
    )
    (root / "src" / "pkg" / "mod.py").write_text("VALUE = 1\nOTHER = 2\nVALUE_TWO = 3\n")
    (root / "src" / "pkg" / "data.json").write_text('{"key": "value"}\n')
    (root / "logo.bin").write_bytes(bytes(range(256)) * 4)
    (root / "run.sh").write_text("#!/bin/sh\necho run\n")
    (root / "run.sh").chmod(0o755)
    (root / ".gitignore").write_text("*.log\nbuild/\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    git(root, "remote", "add", "origin", f"https://x-access-token:{SECRET}@github.com/o/r.git")
    return root


def start_sandbox(
    client: Any, repo: Path, config: DockerSandboxConfig | None = None, label: str = "t"
) -> DockerSandbox:
    """A started sandbox of a fresh run id with ``repo`` copied in."""
    os.environ[HOST_CANARY] = "leaked-from-host"
    sandbox = DockerSandbox(f"test-{label}-{uuid.uuid4().hex[:8]}", config, client=client)
    sandbox.ensure()
    sandbox.copy_in(repo)
    return sandbox


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("repo") / "repo")


@pytest.fixture(scope="module")
def sandbox_factory(docker_client: Any, repo: Path) -> Iterator[Callable[..., DockerSandbox]]:
    """Start sandboxes on demand; all of them are removed when the module ends."""
    started: list[DockerSandbox] = []

    def start(config: DockerSandboxConfig | None = None, label: str = "t") -> DockerSandbox:
        sandbox = start_sandbox(docker_client, repo, config, label)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        remove_run(docker_client, sandbox.run_id)


@pytest.fixture(scope="module")
def sandbox(sandbox_factory: Callable[..., DockerSandbox]) -> DockerSandbox:
    """One sandbox shared by a module's tests (they write to distinct paths)."""
    return sandbox_factory(DockerSandboxConfig(memory="1g", pids_limit=256))
