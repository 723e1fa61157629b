"""The shape every agent tool has."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from agents.sandbox.protocol import Sandbox


class ToolResult(BaseModel):
    """What a tool hands back to the model (``content``) and to the run page (``meta``)."""

    content: str
    is_error: bool = False
    meta: dict[str, Any] = {}
    """Facts for the timeline: exit code, duration, truncation, match counts."""


class Tool(Protocol):
    """A tool the model can call. ``run`` never raises for a bad input: it returns
    ``ToolResult(is_error=True)`` with a message the model can act on."""

    name: str
    mutates: bool
    """True when the tool can change /workspace (the run snapshots after such calls)."""

    def schema(self) -> dict[str, Any]:
        """The Anthropic tool definition: ``{"name", "description", "input_schema"}``."""
        ...

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult: ...
