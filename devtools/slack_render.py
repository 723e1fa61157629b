"""Block Kit → plain text, so `fixer demo` can show in a terminal what Slack would show.

Pure functions over the JSON Slack receives. Only what Fixer posts is rendered faithfully
(header, section, context, actions, divider); anything else becomes a one-line note rather
than an error, because the demo must never fail on how a message looks.
"""

from __future__ import annotations

import json
import re
from typing import Any

Block = dict[str, Any]

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^<>]+)>")
_MENTION = re.compile(r"<([@#!])([^<>|]+)(?:\|([^<>]+))?>")
# Emphasis only between non-word characters, so snake_case names and `a*b` stay as they are.
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")


def _unescape(text: str) -> str:
    # Slack escapes only these three; &amp; last so "&amp;lt;" stays "&lt;".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _inline(text: str) -> str:
    # Mentions first: ``<@U1|ann>`` is not a link to ``@U1``.
    text = _MENTION.sub(lambda m: m.group(3) or f"{m.group(1)}{m.group(2)}", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    return _unescape(text)


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn as terminal text: links spelled out, emphasis dropped, code kept verbatim."""
    out: list[str] = []
    # Odd pieces of a split on ``` are code: no markup applies inside, only the escapes.
    for index, piece in enumerate(text.split("```")):
        if index % 2:
            code = _unescape(piece.strip("\n"))
            out.append("\n".join("    " + line for line in code.splitlines()))
        else:
            out.append(_inline(piece).strip("\n"))
    return "\n".join(part for part in out if part)


def _text_of(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    value = str(obj.get("text", ""))
    return mrkdwn_to_text(value) if obj.get("type") == "mrkdwn" else value


def _button(element: dict[str, Any]) -> str:
    if element.get("type") == "button":
        return f"[{_text_of(element.get('text'))}]"
    return f"[{element.get('type', 'element')}]"


def render_block(block: Block) -> str:
    """One block as text (possibly several lines)."""
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        return f"{title}\n{'=' * len(title)}"
    if kind == "section":
        parts = [_text_of(block.get("text"))]
        parts += [_text_of(field) for field in block.get("fields", [])]
        if accessory := block.get("accessory"):
            parts.append(_button(accessory))
        return "\n".join(part for part in parts if part)
    if kind == "context":
        return " · ".join(_text_of(element) for element in block.get("elements", []))
    if kind == "actions":
        return " ".join(_button(element) for element in block.get("elements", []))
    if kind == "divider":
        return "-" * 40
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    return f"[{kind} block]"


def render_blocks(blocks: list[Block] | str) -> str:
    """A message's blocks as text, one blank line between blocks.

    ``blocks`` may be the JSON string a form-encoded ``chat.postMessage`` carries.
    """
    parsed: list[Block] = json.loads(blocks) if isinstance(blocks, str) else blocks
    return "\n\n".join(text for text in (render_block(b) for b in parsed) if text)


def render_message(message: dict[str, Any]) -> str:
    """A posted message: its blocks, or its fallback text when it has none."""
    blocks = message.get("blocks")
    if blocks:
        return render_blocks(blocks)
    return mrkdwn_to_text(str(message.get("text", "")))
