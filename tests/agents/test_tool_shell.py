"""The shell tool against a real container."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.shell import ShellTool


def test_shell_reports_output_and_exit_code(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "echo out; echo err >&2; exit 3"})
    assert "out" in result.content and "err" in result.content
    assert result.content.endswith("[exit code 3]")
    assert result.meta["exit_code"] == 3
    assert not result.is_error


def test_shell_runs_in_cwd_relative_to_workspace(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "pwd", "cwd": "src/pkg"})
    assert result.content.startswith("/workspace/src/pkg\n")


def test_shell_timeout_kills_whole_process_group_and_says_so(sandbox: DockerSandbox) -> None:
    command = "sleep 300 & (sleep 301 &) ; setsid sleep 302 & sleep 303"
    result = ShellTool().run(sandbox, {"command": command, "timeout": 1})
    assert result.is_error and result.meta["timed_out"]
    assert "timed out after 1s" in result.content and "exit code -1" in result.content
    left = sandbox.exec("ps -eo args | grep -c '^sleep 30[0-3]' || true").output.strip()
    assert left == "0"


def test_shell_truncates_middle_with_a_note(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "seq 1 100000"})
    assert result.content.startswith("1\n2\n3\n")
    assert "100000\n[exit code 0]" in result.content
    assert "output truncated" in result.content and "lines) cut" in result.content
    assert result.meta["truncated_bytes"] > 500_000
    assert len(result.content) < 32_000


def test_background_process_holding_stdout_does_not_hang(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "sleep 20 & echo started", "timeout": 10})
    assert result.meta["duration_ms"] < 5_000
    assert "started" in result.content
    sandbox.exec("pkill -f 'sleep 20' || true")


def test_shell_rejects_bad_input_with_a_message(sandbox: DockerSandbox) -> None:
    tool = ShellTool()
    assert "missing required argument 'command'" in tool.run(sandbox, {}).content
    assert tool.run(sandbox, {"command": "  "}).is_error
    bad_timeout = tool.run(sandbox, {"command": "true", "timeout": "soon"})
    assert bad_timeout.is_error and "must be a number" in bad_timeout.content


def test_shell_schema_is_anthropic_shaped() -> None:
    schema = ShellTool().schema()
    assert set(schema) == {"name", "description", "input_schema"}
    assert schema["input_schema"]["required"] == ["command"]
