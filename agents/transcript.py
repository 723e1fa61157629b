"""The run page's timeline of an agent: what the model said, which tools it called, what they
returned, and what each model call cost.

Events are built only from checkpointed results (durations included), so a replayed run
produces the same transcript as the original one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agents.llm import ModelReply
from agents.pricing import Usage

DISPLAY_CHARS = 4000
"""Tool output shown on the run page is trimmed to this many characters (head and tail)."""


class ModelCall(BaseModel):
    """One request to the model and what it cost."""

    type: Literal["model_call"] = "model_call"
    agent: str
    turn: int
    model: str
    stop_reason: str | None
    usage: Usage
    cost_usd: float
    duration_ms: float


class AssistantText(BaseModel):
    """Text the model wrote (its reasoning before tool calls, or its final words)."""

    type: Literal["assistant_text"] = "assistant_text"
    agent: str
    turn: int
    text: str


class ToolCall(BaseModel):
    """The model asked for a tool; ``server`` tools (web search) run at Anthropic."""

    type: Literal["tool_call"] = "tool_call"
    agent: str
    turn: int
    index: int
    tool_use_id: str
    name: str
    input: dict[str, Any]
    server: bool = False


class ToolOutput(BaseModel):
    """What a tool returned to the model (trimmed for display)."""

    type: Literal["tool_output"] = "tool_output"
    agent: str
    turn: int
    index: int
    tool_use_id: str
    name: str
    content: str
    is_error: bool
    duration_ms: float
    meta: dict[str, Any] = {}


class Notice(BaseModel):
    """Something the loop did on its own: eliding context, rejecting a submission, stopping."""

    type: Literal["notice"] = "notice"
    agent: str
    turn: int
    text: str


TranscriptEvent = Annotated[
    ModelCall | AssistantText | ToolCall | ToolOutput | Notice, Field(discriminator="type")
]


def trim_for_display(text: str, limit: int = DISPLAY_CHARS) -> str:
    """Head and tail of ``text`` with a note of what was cut."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[… {len(text) - 2 * half} chars not shown …]\n{text[-half:]}"


def reply_events(agent: str, turn: int, reply: ModelReply) -> list[TranscriptEvent]:
    """The events of one model reply: its cost, its text, and server-side tool activity
    (local tool calls are recorded by the loop as it runs them)."""
    events: list[TranscriptEvent] = [
        ModelCall(
            agent=agent,
            turn=turn,
            model=reply.model,
            stop_reason=reply.stop_reason,
            usage=reply.usage,
            cost_usd=reply.cost_usd,
            duration_ms=reply.duration_ms,
        )
    ]
    for index, block in enumerate(reply.content, start=1):
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            events.append(AssistantText(agent=agent, turn=turn, text=block["text"]))
        elif kind == "server_tool_use":
            events.append(
                ToolCall(
                    agent=agent,
                    turn=turn,
                    index=index,
                    tool_use_id=block["id"],
                    name=block["name"],
                    input=block.get("input") or {},
                    server=True,
                )
            )
        elif kind == "web_search_tool_result":
            found = block.get("content")
            hits = isinstance(found, list)
            text = (
                "\n".join(f"{hit.get('title')} {hit.get('url')}" for hit in found)
                if isinstance(found, list)
                else f"search failed: {found}"
            )
            events.append(
                ToolOutput(
                    agent=agent,
                    turn=turn,
                    index=index,
                    tool_use_id=block["tool_use_id"],
                    name="web_search",
                    content=text,
                    is_error=not hits,
                    duration_ms=0.0,
                )
            )
    return events
