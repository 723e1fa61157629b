"""Slack mrkdwn text: escaping, trimming to a limit, code blocks, naming people.

Slack counts a text's length after its escaping (``<`` is ``&lt;``, four characters), so
everything here works on escaped text and measures that; a cut never splits an ``&…;``
entity and never leaves a code block open
(https://docs.slack.dev/messaging/formatting-message-text#escaping).
"""

from __future__ import annotations

import re

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
FENCE = "```"
_SAFE_FENCE = "`\u200b`\u200b`"
"""Three backticks with zero-width spaces between: shown alike, but no fence."""
_LONGEST_ENTITY = len("&amp;")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """``text``'s first ``limit`` characters at most, never ending inside an entity."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    amp = head.rfind("&", max(0, limit - _LONGEST_ENTITY + 1))
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head


def cut_tail(text: str, limit: int) -> str:
    """``text``'s last ``limit`` characters at most, never starting inside an entity."""
    if len(text) <= limit:
        return text
    tail = text[len(text) - limit :]
    semi = tail.find(";", 0, _LONGEST_ENTITY - 1)
    if semi != -1 and "&" not in tail[:semi]:
        tail = tail[semi + 1 :]
    return tail


def close_fences(text: str) -> str:
    """``text`` with a closing fence when a cut left a code block open."""
    return text + "\n" + FENCE if text.count(FENCE) % 2 else text


def fit_lines(text: str, limit: int, note: str) -> str:
    """``text`` if it fits in ``limit`` characters, else its first whole lines and ``note``
    (one very long first line is cut, cleanly). Open code blocks are closed."""
    if len(text) <= limit:
        return text
    budget = limit - len(note) - 1
    shown = _first_lines(text, budget)
    if shown.count(FENCE) % 2:  # room for the closing fence
        shown = close_fences(_first_lines(text, budget - len(FENCE) - 1))
    return shown + "\n" + note


def _first_lines(text: str, budget: int) -> str:
    kept: list[str] = []
    used = 0
    for line in text.splitlines():
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept) if kept else cut(text, budget)


def code_block(text: str, limit: int, note: str, *, keep: str = "head") -> str:
    """``text`` (raw) escaped in a code block of at most ``limit`` characters.

    Fences inside ``text`` are defused so the block cannot end early. ``keep="tail"``
    keeps the end (a test run's last lines are what matter), with ``note`` first.
    """
    body = escape(text.strip("\n")).replace(FENCE, _SAFE_FENCE)
    room = limit - 2 * len(FENCE) - 2
    if len(body) <= room:
        return f"{FENCE}\n{body}\n{FENCE}"
    room -= len(note) + 1
    if keep == "tail":
        shown = cut_tail(body, room)
        newline = shown.find("\n")
        if 0 <= newline < len(shown) // 2:  # start at a whole line when one is near
            shown = shown[newline + 1 :]
        return f"{note}\n{FENCE}\n{shown}\n{FENCE}"
    shown = cut(body, room)
    newline = shown.rfind("\n")
    if newline > len(shown) // 2:
        shown = shown[:newline]
    return f"{FENCE}\n{shown}\n{FENCE}\n{note}"


def who(actor_id: str, actor_name: str = "") -> str:
    """A Slack mention for a Slack user id; the name (or id) for anyone else (the CLI)."""
    if _SLACK_USER_ID.match(actor_id):
        return f"<@{actor_id}>"
    return actor_name or actor_id
