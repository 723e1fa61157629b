"""Slack mrkdwn text: escaping, trimming to a limit, naming people."""

from __future__ import annotations

import re

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit_lines(text: str, limit: int, note: str) -> str:
    """``text`` if it fits in ``limit`` characters, else its first whole lines and ``note``."""
    if len(text) <= limit:
        return text
    budget = limit - len(note) - 1
    kept: list[str] = []
    used = 0
    for line in text.splitlines():
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    if not kept:  # one very long first line: cut it, but never inside an &entity;
        cut = text[:budget]
        amp = cut.rfind("&")
        if amp > cut.rfind(";"):
            cut = cut[:amp]
        kept = [cut]
    return "\n".join(kept) + "\n" + note


def who(actor_id: str, actor_name: str = "") -> str:
    """A Slack mention for a Slack user id; the name (or id) for anyone else (the CLI)."""
    if _SLACK_USER_ID.match(actor_id):
        return f"<@{actor_id}>"
    return actor_name or actor_id
