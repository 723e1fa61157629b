"""How a Docker sandbox is shaped: image, limits, network policy, caps."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

NetworkPolicy = Literal["none", "bridge"]


class SetupNetwork(BaseModel):
    """Set-up network settings (``FIXER_SANDBOX_*``): applied to setup commands only."""

    ca_certs: bytes = b""
    """Extra PEM certificates the sandbox trusts during setup (a TLS-inspecting proxy's CA)."""
    proxy: str | None = None
    """HTTP(S) proxy URL for setup downloads."""
    no_proxy: str | None = None
    """Hosts reached without the proxy (comma separated)."""
    pip_index_url: str | None = None
    """A PyPI mirror (pip and uv)."""
    npm_registry: str | None = None
    """An npm registry mirror (npm, pnpm, yarn, corepack)."""


class DockerSandboxConfig(BaseModel):
    """Settings of one run's container; every limit has a safe default."""

    image: str = "fixer-sandbox:default"
    """Image the container starts from (``fixer sandbox build`` makes the default)."""
    memory: str = "2g"
    """Memory limit (docker syntax: ``512m``, ``2g``); swap is capped to the same value."""
    cpus: float = Field(default=2.0, gt=0)
    """CPU quota in cores."""
    pids_limit: int = Field(default=512, ge=16)
    """Most processes and threads the container may hold at once (stops fork bombs)."""
    network: NetworkPolicy = "none"
    """Network during agent work: ``none`` detaches every network after ``prepare``."""
    command_timeout: float = Field(default=300.0, gt=0)
    """Seconds a command may run when the caller gives no timeout."""
    kill_grace: float = Field(default=2.0, ge=0)
    """Seconds between SIGTERM and SIGKILL when a command times out."""
    output_cap: int = Field(default=30_000, ge=1_000)
    """Bytes of command output kept (head and tail halves) before the middle is cut."""
    snapshot_cap: int = Field(default=50_000_000, ge=1_000)
    """Largest workspace patch in bytes; a bigger one raises instead of being truncated."""
    file_cap: int = Field(default=20_000_000, ge=1_000)
    """Largest file ``read_file`` transfers to the host in one piece."""
    tmp_size: str = "1g"
    """Size of the ``/tmp`` tmpfs (it counts against the memory limit)."""
    user: str = "1000:1000"
    """uid:gid commands run as; the images create ``fixer`` with uid 1000."""
    setup_network: SetupNetwork = Field(default_factory=lambda: SetupNetwork())
    """Trust, proxy and mirrors for setup commands."""
    cache_volume: str | None = None
    """The repository's dependency cache volume, mounted at ``~/.cache``; ``None`` = none."""
