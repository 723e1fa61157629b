"""What an agent needs from a sandbox, independent of how it is run.

Synchronous on purpose: the Docker SDK is synchronous, and the agent loop runs tool calls
in a worker thread (``asyncio.to_thread``) inside its checkpoint.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel


class CommandResult(BaseModel):
    """The outcome of one command run in the sandbox."""

    exit_code: int
    """Exit status; -1 when the command was killed by its timeout."""
    output: str
    """Interleaved stdout and stderr, decoded as UTF-8 with replacement."""
    timed_out: bool = False
    """True when the command hit its timeout and its process group was killed."""
    duration_ms: float = 0.0
    truncated_bytes: int = 0
    """Bytes cut from the middle of ``output`` (a note in ``output`` says where)."""


class SandboxSnapshot(BaseModel):
    """The workspace's change against the base commit: enough to rebuild it exactly."""

    base_commit: str
    """Commit the diff applies to."""
    patch: str
    """``git diff --binary`` of /workspace against ``base_commit``, untracked files included."""
    sha256: str
    """Content hash of ``patch``; artifacts are stored and referenced by it."""
    tree_hash: str
    """Git tree id of the workspace as snapshotted (``git write-tree`` of the full index)."""
    files_changed: int = 0


class Sandbox(Protocol):
    """One isolated workspace at ``/workspace`` shared by the run's agents."""

    workdir: str
    """Absolute path of the workspace inside the sandbox (``/workspace``)."""

    def exec(
        self, command: str, *, timeout: float | None = None, cwd: str | None = None
    ) -> CommandResult:
        """Run ``command`` with ``bash -lc`` as the sandbox user."""
        ...

    def read_file(self, path: str) -> bytes:
        """Bytes of the file at ``path`` (resolved inside the sandbox, never on the host)."""
        ...

    def write_file(self, path: str, data: bytes) -> None:
        """Create or replace the file at ``path``, creating parent directories."""
        ...
