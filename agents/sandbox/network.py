"""A run's network: none at all while the agents work, a bridge of its own during setup.

A container under the ``none`` policy starts in Docker's ``none`` mode (loopback only) and its
run network is created the first time setup needs it: most runs then never pay for a bridge,
a veth pair and a disconnect at start. Docker refuses to add a network to a container still
in ``none`` mode, so connecting first leaves ``none``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from docker.errors import APIError, NotFound

from agents.errors import SandboxError
from agents.sandbox import run_resources

if TYPE_CHECKING:
    from agents.sandbox.docker import DockerSandbox

NONE = "none"


def start_network(sandbox: DockerSandbox) -> str:
    """What a new container starts on: ``none``, or the run's bridge under ``bridge``."""
    if sandbox.config.network == NONE:
        return NONE
    return run_network(sandbox)


def run_network(sandbox: DockerSandbox) -> str:
    """The run's own bridge (made on first use), so runs never share a network, even in setup."""
    with contextlib.suppress(NotFound):
        return str(sandbox.client.networks.get(sandbox.name).name)
    try:
        sandbox.client.networks.create(
            sandbox.name, driver="bridge", labels=run_resources.labels(sandbox.run_id)
        )
        return sandbox.name
    except APIError as exc:
        if "address pool" in str(exc).lower():
            return "bridge"  # engine out of subnets: the default bridge still works
        raise SandboxError(f"could not create the network of {sandbox.run_id}: {exc}") from exc


def attached(container: Any) -> dict[str, Any]:
    """The container's networks as Docker reports them now."""
    container.reload()
    networks: dict[str, Any] = container.attrs["NetworkSettings"]["Networks"] or {}
    return networks


def disconnect_all(sandbox: DockerSandbox) -> None:
    """Leave only loopback in the container."""
    for name in list(attached(sandbox.container)):
        with contextlib.suppress(NotFound):
            sandbox.client.networks.get(name).disconnect(sandbox.container, force=True)


def connect(sandbox: DockerSandbox) -> None:
    """Attach the run's network (for setup commands); a no-op when one is attached."""
    current = attached(sandbox.container)
    if set(current) - {NONE}:
        return
    if NONE in current:
        with contextlib.suppress(NotFound):
            sandbox.client.networks.get(NONE).disconnect(sandbox.container, force=True)
    sandbox.client.networks.get(run_network(sandbox)).connect(sandbox.container)
