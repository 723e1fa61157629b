"""A dead sandbox is the run's problem, not the model's: a container gone raises
``SandboxLost`` out of the loop (the run rebuilds it) instead of coming back as tool errors;
what the model can fix (a path outside the workspace) stays a tool error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.errors import SandboxError, SandboxLost
from agents.sandbox.run_resources import remove_run
from agents.tools.base import ToolResult
from agents.tools.read import ReadTool
from agents.tools.shell import ShellTool
from devtools.scripted_model import reply, tool_use
from tests.agents.conftest import make_repo, start_sandbox
from tests.agents.test_loop import make_loop
from tests.agents.test_loop_fakes import FakeSandbox, FakeTool, scripted


class LostSandbox(FakeSandbox):
    def exec(self, command: str, *, timeout: float | None = None, cwd: str | None = None) -> Any:
        raise SandboxLost("the sandbox container 0123456789ab is gone: 404 No such container")


def shell_over_sandbox() -> FakeTool:
    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        try:
            return ToolResult(content=sandbox.exec(args["command"]).output)
        except SandboxError as exc:  # as the real tools do: a fixable problem goes back
            return ToolResult(content=str(exc), is_error=True)

    return FakeTool("shell", run, mutates=True)


async def test_a_lost_container_ends_the_loop_instead_of_reaching_the_model() -> None:
    model, fake = scripted(
        [reply(tool_use("shell", {"command": "pytest"}))] * 3
        + [reply(tool_use("submit_answer", {"summary": "x"}))]
    )
    loop = make_loop(model, sandbox=LostSandbox(), tools=[shell_over_sandbox()])
    with pytest.raises(SandboxLost, match="is gone"):
        await loop.run("Go.")
    assert len(fake.requests) == 1  # no turn of tool errors was sent to the model


def test_docker_reports_a_removed_container_as_lost_and_a_bad_path_as_a_tool_error(
    docker_client: Any, tmp_path: Path
) -> None:
    sandbox = start_sandbox(docker_client, make_repo(tmp_path / "repo"), label="lost")
    try:
        outside = ReadTool().run(sandbox, {"path": "/etc/passwd"})
        assert outside.is_error  # the model can fix this one: it stays a tool result
        remove_run(docker_client, sandbox.run_id)
        with pytest.raises(SandboxLost, match="is gone"):
            ShellTool().run(sandbox, {"command": "echo hi"})
    finally:
        remove_run(docker_client, sandbox.run_id)
