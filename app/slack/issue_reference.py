"""Reading ``owner/repo#N`` or an issue URL, and what follows it, from a Slack mention."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_REPO = r"[A-Za-z0-9._-]+"
# Slack wraps links as <https://…> or <https://…|label>.
_URL = re.compile(
    rf"<?https?://[^\s/|>]+(?:/[^\s|>]*)?/(?P<owner>{_NAME})/(?P<repo>{_REPO})/issues/"
    rf"(?P<number>\d+)[^\s|>]*(?:\|[^>]*)?>?"
)
_SHORT = re.compile(rf"(?<![\w./-])(?P<owner>{_NAME})/(?P<repo>{_REPO})#(?P<number>\d+)\b")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LEADING_NOISE = re.compile(r"^[\s:,.;–—-]+")


@dataclass(frozen=True)
class IssueReference:
    repo_full_name: str
    issue_number: int
    instructions: str = ""
    """What the person wrote after the reference, for both agents."""


def parse_issue_reference(text: str) -> IssueReference | None:
    """The first issue named in ``text`` (a mention's text), or ``None``."""
    text = _MENTION.sub(" ", text)
    found = [m for m in (_URL.search(text), _SHORT.search(text)) if m is not None]
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    repo = match.group("repo").removesuffix(".git")
    instructions = _LEADING_NOISE.sub("", text[match.end() :]).strip()
    return IssueReference(
        repo_full_name=f"{match.group('owner')}/{repo}",
        issue_number=int(match.group("number")),
        instructions=instructions,
    )
