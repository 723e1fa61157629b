"""Setup behind this machine's TLS-inspecting proxy: trusted with FIXER_SANDBOX_CA_CERTS.

The machine reaches the package registries only through a proxy that re-signs TLS with its
own CA; the host trusts that CA through its system bundle, so that bundle is what a user
would name in FIXER_SANDBOX_CA_CERTS.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from agents.sandbox.config import DockerSandboxConfig, SetupNetwork
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.trust import read_ca_certs
from tests.sandbox_setup.conftest import checkout

MakeSandbox = Callable[[Path, DockerSandboxConfig], DockerSandbox]
HOST_BUNDLE = Path(os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt")


def test_setup_installs_from_the_real_registries_with_the_machines_ca(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    repo = checkout(tmp_path / "r", {"README.md": "# r\n"})
    network = SetupNetwork(ca_certs=read_ca_certs(HOST_BUNDLE))
    sandbox = make_sandbox(repo, DockerSandboxConfig(setup_network=network))
    pip, npm = sandbox.prepare(
        ["pip install --no-deps six==1.16.0", "npm view left-pad@1.3.0 version"], timeout=300
    )
    assert pip.exit_code == 0, pip.output
    assert npm.exit_code == 0 and npm.output.strip().endswith("1.3.0"), npm.output
    assert sandbox.exec("python -c 'import six; print(six.__version__)'").output == "1.16.0\n"
    # The trust settings were for setup only.
    env = sandbox.exec("env").output
    assert "SSL_CERT_FILE" not in env and "NODE_EXTRA_CA_CERTS" not in env


def test_proxy_and_mirror_settings_reach_setup_commands_only(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    repo = checkout(tmp_path / "r", {"README.md": "# r\n"})
    network = SetupNetwork(
        proxy="http://proxy.example.internal:3128",
        pip_index_url="https://mirror.example.internal/pypi/simple/",
        npm_registry="https://mirror.example.internal/npm/",
    )
    sandbox = make_sandbox(repo, DockerSandboxConfig(setup_network=network))
    [shown] = sandbox.prepare(["env | sort"])
    assert "HTTPS_PROXY=http://proxy.example.internal:3128" in shown.output
    assert "PIP_INDEX_URL=https://mirror.example.internal/pypi/simple/" in shown.output
    assert "npm_config_registry=https://mirror.example.internal/npm/" in shown.output
    assert "-Dhttps.proxyHost=proxy.example.internal" in shown.output
    after = sandbox.exec("env").output
    assert "PROXY" not in after.upper() and "mirror.example" not in after
