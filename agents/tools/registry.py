"""The tool lists agents get, in a fixed order.

Order and content are part of the prompt-cache key: tools come first in every request, so a
list that changes order (or a description that changes) would miss the cache on every turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agents.tools.base import Tool
from agents.tools.edit import EditTool
from agents.tools.glob import GlobTool
from agents.tools.grep import GrepTool
from agents.tools.read import ReadTool
from agents.tools.shell import ShellTool
from agents.tools.write import WriteTool

READ_ONLY_TOOLS: tuple[Callable[[], Tool], ...] = (ReadTool, GlobTool, GrepTool)
"""The planner's tools: nothing that can change /workspace."""
ALL_TOOLS: tuple[Callable[[], Tool], ...] = (
    ShellTool,
    ReadTool,
    WriteTool,
    EditTool,
    GlobTool,
    GrepTool,
)
"""The coder's tools."""


def read_only_tools() -> list[Tool]:
    """Fresh instances of the read-only tools, in their fixed order."""
    return [make() for make in READ_ONLY_TOOLS]


def all_tools() -> list[Tool]:
    """Fresh instances of every tool, in their fixed order."""
    return [make() for make in ALL_TOOLS]


def schemas(tools: Sequence[Tool]) -> list[dict[str, Any]]:
    """The Anthropic ``tools`` parameter for ``tools`` (same order, byte-stable)."""
    return [tool.schema() for tool in tools]


def by_name(tools: Sequence[Tool]) -> dict[str, Tool]:
    """Look-up table for dispatching a ``tool_use`` block."""
    return {tool.name: tool for tool in tools}
