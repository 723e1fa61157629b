"""Network policy: setup runs with a network, agent work runs with loopback only.

The only address ever contacted is a server this test runs on the host's own docker bridge
gateway address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox

Factory = Callable[..., DockerSandbox]


@pytest.fixture(scope="module")
def bridge_server(docker_client: Any) -> Iterator[tuple[str, int]]:
    """A TCP server on the docker0 gateway address that answers 'pong' and closes."""
    ipam = docker_client.networks.get("bridge").attrs["IPAM"]["Config"][0]
    # The engine leaves Gateway out for the default bridge; docker0 takes the first host.
    gateway = ipam.get("Gateway") or str(next(ipaddress.ip_network(ipam["Subnet"]).hosts()))
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((gateway, 0))  # succeeds only for an address of this host's own bridge
    server.listen(8)
    server.settimeout(0.5)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"pong\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield gateway, server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    server.close()


def connect_command(host: str, port: int) -> str:
    return (
        f"python3 -c \"import socket; s = socket.create_connection(('{host}', {port}), "
        'timeout=3); print(s.recv(5).decode().strip())"'
    )


def test_agent_phase_has_only_loopback_and_cannot_connect(
    sandbox_factory: Factory, bridge_server: tuple[str, int]
) -> None:
    sandbox = sandbox_factory(label="net")
    sandbox.prepare(["true"])
    assert sandbox.exec("ls /sys/class/net").output.split() == ["lo"]
    result = sandbox.exec(connect_command(*bridge_server), timeout=20)
    assert result.exit_code != 0 and "pong" not in result.output
    assert "Network is unreachable" in result.output


def test_setup_commands_get_the_network_then_lose_it(
    sandbox_factory: Factory, bridge_server: tuple[str, int]
) -> None:
    sandbox = sandbox_factory(label="setup")
    results = sandbox.prepare([connect_command(*bridge_server), "ls /sys/class/net"])
    assert [r.exit_code for r in results] == [0, 0]
    assert results[0].output.strip() == "pong"
    assert results[1].output.split() != ["lo"]  # an eth interface besides loopback
    assert sandbox.exec("ls /sys/class/net").output.split() == ["lo"]


def test_bridge_policy_keeps_the_network(
    sandbox_factory: Factory, bridge_server: tuple[str, int]
) -> None:
    sandbox = sandbox_factory(DockerSandboxConfig(network="bridge"), label="bridge")
    sandbox.prepare(["true"])
    assert sandbox.exec(connect_command(*bridge_server), timeout=20).output.strip() == "pong"
