"""Checking the model's tool input: wrong input becomes a message the model can act on."""

from __future__ import annotations

from typing import Any

from agents.tools.base import ToolResult


class ToolInputError(Exception):
    """The model's input to a tool is missing or malformed; the message says how to fix it."""


def failure(message: str, **meta: Any) -> ToolResult:
    """An error result for the model."""
    return ToolResult(content=message, is_error=True, meta=meta)


def text(args: dict[str, Any], key: str, *, default: str | None = None) -> str:
    """A string argument; required when ``default`` is None."""
    value = args.get(key, default)
    if value is None:
        raise ToolInputError(f"missing required argument {key!r}")
    if not isinstance(value, str):
        raise ToolInputError(f"argument {key!r} must be a string, got {type(value).__name__}")
    return value


def optional_text(args: dict[str, Any], key: str) -> str | None:
    """A string argument that may be absent (or null)."""
    return None if args.get(key) is None else text(args, key)


def integer(args: dict[str, Any], key: str, default: int, *, low: int, high: int) -> int:
    """An integer argument within ``[low, high]``."""
    value = args.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ToolInputError(f"argument {key!r} must be an integer, got {value!r}")
    if not low <= int(value) <= high:
        raise ToolInputError(f"argument {key!r} must be between {low} and {high}, got {value}")
    return int(value)


def number(args: dict[str, Any], key: str, default: float, *, low: float, high: float) -> float:
    """A number argument within ``[low, high]``."""
    value = args.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ToolInputError(f"argument {key!r} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ToolInputError(f"argument {key!r} must be between {low} and {high}, got {value}")
    return float(value)


def flag(args: dict[str, Any], key: str, default: bool = False) -> bool:
    """A boolean argument."""
    value = args.get(key, default)
    if not isinstance(value, bool):
        raise ToolInputError(f"argument {key!r} must be true or false, got {value!r}")
    return value
