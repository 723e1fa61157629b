"""The timeline as the page shows it: a model call with the text that led to its tool calls,
each tool call joined with its output, and the run's own events between them."""

from __future__ import annotations

import json
from typing import Any

SUMMARY_ARGS = ("command", "pattern", "path", "glob", "query")


def tool_summary(name: str, args: dict[str, Any]) -> str:
    """``grep pattern='def mean'``: the arguments a person recognises, in one line."""
    shown = [f"{key}={args[key]!r}" for key in SUMMARY_ARGS if key in args]
    if name == "shell" and "command" in args:
        return f"$ {args['command']}"
    return f"{name} {' '.join(shown)}".strip()


def _tool_entry(call: dict[str, Any]) -> dict[str, Any]:
    data = call["data"]
    return {
        "type": "tool",
        "agent": call["agent"],
        "round": call["round"],
        "at": call["at"],
        "name": data.get("name", ""),
        "summary": tool_summary(data.get("name", ""), data.get("input") or {}),
        "input": json.dumps(data.get("input") or {}, indent=2, ensure_ascii=False),
        "output": None,
        "is_error": False,
        "exit_code": None,
        "duration_ms": None,
        "server": data.get("server", False),
    }


def entries(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    tools: dict[str, dict[str, Any]] = {}
    last_model: dict[str, Any] | None = None
    for event in events:
        kind, data = event["kind"], event["data"]
        if kind == "model_call":
            last_model = {
                "type": "model",
                "agent": event["agent"],
                "round": event["round"],
                "at": event["at"],
                "model": data.get("model", ""),
                "turn": data.get("turn") or event["key"].split(".t")[-1].split(".")[0],
                "tokens": data.get("tokens", {}),
                "cost_usd": data.get("cost_usd", 0.0),
                "duration_ms": data.get("duration_ms", 0.0),
                "stop_reason": data.get("stop_reason"),
                "text": [],
            }
            shown.append(last_model)
        elif kind == "assistant_text" and last_model is not None:
            last_model["text"].append(data.get("text", ""))
        elif kind == "tool_call":
            entry = _tool_entry(event)
            tools[data.get("tool_use_id", "")] = entry
            shown.append(entry)
        elif kind == "tool_output":
            entry = tools.get(data.get("tool_use_id", "")) or _tool_entry(event)
            meta = data.get("meta") or {}
            entry.update(
                output=data.get("content", ""),
                is_error=data.get("is_error", False),
                exit_code=meta.get("exit_code"),
                duration_ms=data.get("duration_ms"),
            )
        elif kind == "state" and shown and shown[-1].get("data") == data:
            continue  # a state step that only added fields (e.g. the Slack thread) to the last
        else:
            shown.append({"type": kind, **event})
    return shown
