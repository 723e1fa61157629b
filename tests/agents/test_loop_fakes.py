"""Fakes shared by the agent tests: an in-memory sandbox, small tools, a recording checkpoint,
and an ``AnthropicModel`` wired to a ``ScriptedModel`` (the real SDK over a mock transport)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import anthropic
import httpx2

from agents.llm import AnthropicModel
from agents.sandbox.protocol import CommandResult
from agents.tools.base import ToolResult
from devtools.scripted_model import ScriptedModel

MODEL = "claude-sonnet-4-6"


class FakeSandbox:
    """Files in a dict; ``exec`` echoes the command."""

    workdir = "/workspace"

    def __init__(self, files: dict[str, str] | None = None) -> None:
        self.files = dict(files or {})
        self.commands: list[str] = []

    def exec(
        self, command: str, *, timeout: float | None = None, cwd: str | None = None
    ) -> CommandResult:
        self.commands.append(command)
        return CommandResult(exit_code=0, output=f"ran: {command}")

    def read_file(self, path: str) -> bytes:
        return self.files[path].encode()

    def write_file(self, path: str, data: bytes) -> None:
        self.files[path] = data.decode()


class FakeTool:
    """A tool whose behaviour is a plain function of (sandbox, args)."""

    def __init__(
        self,
        name: str,
        run: Callable[[FakeSandbox, dict[str, Any]], ToolResult],
        *,
        mutates: bool = False,
    ) -> None:
        self.name, self._run, self.mutates = name, run, mutates

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": f"The {self.name} tool.",
            "input_schema": {"type": "object", "properties": {}, "additionalProperties": True},
        }

    def run(self, sandbox: Any, args: dict[str, Any]) -> ToolResult:
        return self._run(sandbox, args)


def read_tool() -> FakeTool:
    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        path = args["path"]
        if path not in sandbox.files:
            return ToolResult(content=f"no such file: {path}", is_error=True)
        return ToolResult(content=sandbox.files[path])

    return FakeTool("read", run)


def write_tool() -> FakeTool:
    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        sandbox.files[args["path"]] = args["content"]
        return ToolResult(content=f"wrote {args['path']}")

    return FakeTool("write", run, mutates=True)


def shell_tool(exit_codes: dict[str, int] | None = None) -> FakeTool:
    """``shell`` with the real tool's result shape: output, status line, ``exit_code`` meta.
    A command in ``exit_codes`` exits with that code (0 otherwise)."""
    codes = exit_codes or {}

    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        result = sandbox.exec(args["command"])
        code = codes.get(args["command"], 0)
        return ToolResult(
            content=f"{result.output}\n[exit code {code}]",
            meta={"exit_code": code, "timed_out": False},
        )

    return FakeTool("shell", run, mutates=True)


def crashing_tool() -> FakeTool:
    def run(sandbox: FakeSandbox, args: dict[str, Any]) -> ToolResult:
        raise KeyError("path")

    return FakeTool("crash", run)


def scripted(script: Iterable[Any], **options: Any) -> tuple[AnthropicModel, ScriptedModel]:
    """The production adapter on the real SDK, answered by a scripted model in-process."""
    fake = ScriptedModel(script, **options)
    client = anthropic.AsyncAnthropic(
        api_key="sk-ant-test",
        base_url="https://anthropic.test",
        max_retries=2,
        http_client=httpx2.AsyncClient(transport=fake.transport()),
    )
    return AnthropicModel(MODEL, client=client), fake


class RecordingCheckpoint:
    """Records each step's JSON result by name; in replay mode returns it without calling."""

    def __init__(self, recorded: dict[str, str] | None = None) -> None:
        self.recorded: dict[str, str] = dict(recorded or {})
        self.replay = recorded is not None
        self.names: list[str] = []

    async def __call__(self, name: str, fn: Callable[..., Awaitable[Any]], /, *args: Any) -> Any:
        self.names.append(name)
        if self.replay:
            return json.loads(self.recorded[name])
        result = await fn(*args)
        self.recorded[name] = json.dumps(result)  # proves the result is JSON-serialisable
        return result


def test_fake_sandbox_reads_what_was_written() -> None:
    sandbox = FakeSandbox()
    sandbox.write_file("a.txt", b"x")
    assert sandbox.read_file("a.txt") == b"x"


async def test_recording_checkpoint_replays_without_calling() -> None:
    calls = []

    async def step(value: int) -> dict[str, int]:
        calls.append(value)
        return {"value": value}

    first = RecordingCheckpoint()
    assert await first("s.1", step, 3) == {"value": 3}
    again = RecordingCheckpoint(first.recorded)
    assert await again("s.1", step, 4) == {"value": 3}
    assert calls == [3]
