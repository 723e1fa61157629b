"""A run's sandbox that comes to life on first real use in this process.

A replayed tool step returns its recorded result and never touches the sandbox, so the
container is only needed when a step runs for real. Then it is reattached by label, or,
when the container was lost with its host, rebuilt from the base commit plus the latest
snapshot and checked against the snapshot's tree hash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from agents.errors import SandboxLost
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.protocol import CommandResult, SandboxSnapshot
from app.git_host import GitRunner
from app.runs.workspace import RunWorkspace

T = TypeVar("T")


class LiveSandbox:
    """Implements the agents' ``Sandbox`` protocol over the run's ``DockerSandbox``."""

    workdir = "/workspace"

    def __init__(self, workspace: RunWorkspace, base_commit: str) -> None:
        self.workspace = workspace
        self.base_commit = base_commit
        self.inner: DockerSandbox = workspace.sandbox()
        self.latest: SandboxSnapshot | None = None
        """The newest snapshot of this run (kept current by the snapshot steps)."""
        self.rebuilt = False
        self._base_tree: str | None = None
        self._live = False
        self._lock = threading.Lock()

    def tree(self) -> str:
        """The workspace's tree id as the latest snapshot has it (the base commit's tree
        before the first), read on the host: what a tool reporting the same tree left
        unchanged."""
        if self.latest is not None:
            return self.latest.tree_hash
        if self._base_tree is None:
            checkout = GitRunner(self.workspace.base_dir(self.base_commit))
            self._base_tree = checkout.run("rev-parse", f"{self.base_commit}^{{tree}}").strip()
        return self._base_tree

    def live(self) -> DockerSandbox:
        with self._lock:
            if not self._live:
                if not self.inner.ensure():
                    self.workspace.rebuild(self.inner, self.base_commit, self.latest)
                    self.rebuilt = True
                self._live = True
            return self.inner

    def _again_if_lost(self, call: Callable[[DockerSandbox], T]) -> T:
        """``call`` on the live sandbox; when its container is gone mid-run, rebuild it from
        the latest snapshot (the state before this tool call) and call once more."""
        try:
            return call(self.live())
        except SandboxLost:
            with self._lock:
                self._live = False
            return call(self.live())

    def exec(
        self, command: str, *, timeout: float | None = None, cwd: str | None = None
    ) -> CommandResult:
        return self._again_if_lost(lambda box: box.exec(command, timeout=timeout, cwd=cwd))

    def read_file(self, path: str) -> bytes:
        return self._again_if_lost(lambda box: box.read_file(path))

    def write_file(self, path: str, data: bytes) -> None:
        self._again_if_lost(lambda box: box.write_file(path, data))

    def snapshot(self) -> SandboxSnapshot:
        return self.live().snapshot()

    def release(self) -> None:
        """Remove the container (idempotent): a run waiting for people holds none."""
        with self._lock:
            self.inner.stop()
            self._live = False
