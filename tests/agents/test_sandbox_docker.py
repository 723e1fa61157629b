"""The Docker sandbox's lifecycle and hardening, against a real engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agents.errors import SandboxImageMissing
from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.sandbox.environment import COMMAND_ENV
from agents.sandbox.run_resources import MANAGED_LABEL, RUN_LABEL, find_run_containers, remove_run
from tests.agents.conftest import HOST_CANARY, SECRET

Factory = Callable[..., DockerSandbox]


def test_container_is_labelled_with_its_run(docker_client: Any, sandbox: DockerSandbox) -> None:
    labels = sandbox.container.labels
    assert labels[RUN_LABEL] == sandbox.run_id and labels[MANAGED_LABEL] == "true"
    assert [c.id for c in find_run_containers(docker_client, sandbox.run_id)] == [
        sandbox.container.id
    ]


def test_ensure_reattaches_to_the_live_container(
    docker_client: Any, sandbox: DockerSandbox
) -> None:
    sandbox.exec("echo kept > reattach.txt")
    again = DockerSandbox(sandbox.run_id, sandbox.config, client=docker_client)
    assert again.ensure() is True
    assert again.container.id == sandbox.container.id
    assert again.exec("cat reattach.txt").output == "kept\n"
    assert again.base_commit == sandbox.base_commit


def test_missing_image_says_to_build_it(docker_client: Any) -> None:
    config = DockerSandboxConfig(image="fixer-sandbox:does-not-exist")
    sandbox = DockerSandbox("test-missing-image", config, client=docker_client)
    with pytest.raises(SandboxImageMissing, match="fixer sandbox build"):
        sandbox.ensure()
    remove_run(docker_client, "test-missing-image")


def test_runs_as_non_root_without_capabilities(sandbox: DockerSandbox) -> None:
    out = sandbox.exec("id -u; id -un; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status").output
    uid, user, cap_eff, no_new_privs = out.strip().split("\n")
    assert (uid, user) == ("1000", "fixer")
    assert cap_eff.split()[1] == "0000000000000000"
    assert no_new_privs.split()[1] == "1"


def test_root_is_read_only_while_workspace_tmp_and_home_are_writable(
    sandbox: DockerSandbox,
) -> None:
    assert sandbox.exec("touch /usr/local/x").exit_code != 0
    assert "Read-only file system" in sandbox.exec("touch /etc/x").output
    ok = sandbox.exec("touch /workspace/w /tmp/t $HOME/h && echo ok")
    assert ok.output == "ok\n"


def test_limits_are_set_on_the_container(sandbox: DockerSandbox) -> None:
    host = sandbox.container.attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
    assert host["ReadonlyRootfs"] is True and host["Privileged"] is False
    assert host["Memory"] == 1024**3 and host["PidsLimit"] == 256 and host["NanoCpus"] > 0
    assert not [m for m in sandbox.container.attrs["Mounts"] if m["Type"] == "bind"]
    assert sandbox.exec("ls /var/run/docker.sock /run/docker.sock").exit_code != 0


def test_environment_carries_nothing_from_the_host(sandbox: DockerSandbox) -> None:
    assert os.environ[HOST_CANARY]
    env = sandbox.exec("env").output
    assert HOST_CANARY not in env and "leaked-from-host" not in env
    names = {line.split("=", 1)[0] for line in env.splitlines() if "=" in line}
    assert names <= {
        "PATH", "HOME", "LANG", "LC_ALL", "TERM", "PAGER", "GIT_PAGER", "HOSTNAME", "PWD",
        "SHLVL", "_", "DEBIAN_FRONTEND", "PIP_DISABLE_PIP_VERSION_CHECK", "FIXER_EXEC",
        "PYTHONDONTWRITEBYTECODE", *COMMAND_ENV,
    }  # fmt: skip


def test_copy_in_strips_credentials_and_gives_files_to_the_sandbox_user(
    sandbox: DockerSandbox, repo: Path
) -> None:
    config = sandbox.exec("cat .git/config; git remote -v").output
    assert SECRET not in config and "https://github.com/o/r.git" in config
    assert sandbox.exec("grep -r ghs_ /workspace/.git | head -1").output == ""
    owners = sandbox.exec("find /workspace -not -user fixer | head -5").output
    assert owners == ""
    assert sandbox.exec("stat -c %a run.sh").output == "755\n"
    assert sandbox.base_commit == (repo / ".git" / "refs" / "heads" / "main").read_text().strip()


def test_stop_removes_container_volume_and_network(
    docker_client: Any, sandbox_factory: Factory
) -> None:
    sandbox = sandbox_factory(label="stop")
    sandbox.stop()
    assert find_run_containers(docker_client, sandbox.run_id) == []
    label = {"label": [f"{RUN_LABEL}={sandbox.run_id}"]}
    assert docker_client.volumes.list(filters=label) == []
    assert docker_client.networks.list(filters=label) == []


def test_two_runs_cannot_see_each_other(sandbox: DockerSandbox, sandbox_factory: Factory) -> None:
    other = sandbox_factory(label="other")
    sandbox.exec("echo mine > only-in-first.txt && sleep 30 >/dev/null 2>&1 &")
    assert other.exec("ls only-in-first.txt").exit_code != 0
    assert "sleep 30" not in other.exec("ps -eo args").output
    mounts = {m["Name"] for m in sandbox.container.attrs["Mounts"] if m["Type"] == "volume"}
    other_mounts = {m["Name"] for m in other.container.attrs["Mounts"] if m["Type"] == "volume"}
    assert mounts and not mounts & other_mounts
    assert other.container.labels[RUN_LABEL] != sandbox.container.labels[RUN_LABEL]
    sandbox.exec("pkill -f 'sleep 30' || true")
