"""The PR body's short changelog of follow-up rounds: one line per pushed round.

The section sits between hidden markers at the end of the body, so people can edit the rest
freely; each line carries its round's key, so adding the same round again (a replayed step)
replaces its line instead of adding a second. Round 1 is the PR as it opened: the first
follow-up is round 2. The body stays within GitHub's 65,536 characters: the oldest lines go
first (counted in a note), then the text above the section is cut (``app.github_limits``).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from dbos import DBOS

from app.github import Permission
from app.github_limits import BODY_LIMIT, fit
from app.runs.context import current
from app.runs.feedback import FeedbackEvent
from app.runs.github_steps import GITHUB_STEP
from app.runs.refusals import NOT_SHOWN
from app.runs.step_errors import recordable_errors

START, END = "<!-- fixer-rounds -->", "<!-- /fixer-rounds -->"
HEADING = "## Rounds"
SUMMARY_CHARS = 200
_LINE = re.compile(r"^- \*\*Round \d+\*\* · (?P<text>.*) <!-- fixer-round:(?P<key>[^ ]+) -->$")
_CUT = re.compile(r"<!-- fixer-rounds-cut:(?P<count>\d+) -->")
PR_WRITE: dict[str, Permission] = {"pull_requests": "write", "metadata": "read"}


def entry_text(entry: dict[str, Any]) -> str:
    """``[`abc1234`](url) · answers …: what changed`` — one line, whatever the summary holds."""
    sha = str(entry.get("sha") or "")[:7]
    commit = f"[`{sha}`]({entry['url']})" if entry.get("url") else f"`{sha}`"
    answers = f" · {entry['answers']}" if entry.get("answers") else ""
    summary = " ".join(str(entry.get("summary") or "").split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1] + "…"
    return f"{commit}{answers}: {summary}" if summary else f"{commit}{answers}"


def _split(body: str) -> tuple[str, dict[str, str], int, str]:
    """(text before the section, key → line text, lines cut earlier, text after)."""
    start = body.find(START)
    end = body.find(END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return body.rstrip(), {}, 0, ""
    entries: dict[str, str] = {}
    cut = 0
    for line in body[start + len(START) : end].splitlines():
        if found := _LINE.match(line.strip()):
            entries[found["key"]] = found["text"]
        elif found_cut := _CUT.search(line):
            cut = int(found_cut["count"])
    return body[:start].rstrip(), entries, cut, body[end + len(END) :].strip()


def _section(entries: dict[str, str], cut: int) -> str:
    lines = [START, HEADING, ""]
    if cut:
        lines.append(
            f"_{cut} earlier round(s) are on the run page._ <!-- fixer-rounds-cut:{cut} -->"
        )
    for number, (key, text) in enumerate(entries.items(), start=cut + 2):
        lines.append(f"- **Round {number}** · {text} <!-- fixer-round:{key} -->")
    return "\n".join([*lines, END])


def _join(before: str, section: str, after: str) -> str:
    return "\n\n".join(part for part in (before, section, after) if part)


def with_round(body: str | None, entry: dict[str, Any], limit: int = BODY_LIMIT) -> str:
    """``body`` with ``entry`` (``key``, ``sha``, ``url``, ``summary``, ``answers``) in its
    Rounds section: added at the end, or in place of the line with the same ``key``."""
    before, entries, cut, after = _split(body or "")
    entries[str(entry["key"])] = entry_text(entry)
    while len(text := _join(before, _section(entries, cut), after)) > limit and len(entries) > 1:
        del entries[next(iter(entries))]
        cut += 1
    if len(text) <= limit:
        return text
    tail = _join("", _section(entries, cut), after)
    return _join(fit(before, limit - len(tail) - 2), tail, "")


@DBOS.step(name="update_pr_body", **GITHUB_STEP)
@recordable_errors
async def update_pr_body_step(
    installation_id: int, repo: str, pr_number: int, entry: dict[str, Any]
) -> bool:
    """Add a pushed round to the PR body's changelog; PATCHes only when the body changes.

    Whether it changed (a replay finds its line there and leaves the body alone).
    """
    owner, name = repo.split("/", 1)
    gh = current().github.for_repo(installation_id, repo, PR_WRITE)
    path = f"/repos/{owner}/{name}/pulls/{pr_number}"
    body = (await gh.arequest("GET", path)).json().get("body") or ""
    updated = with_round(body, entry)
    if updated == body:
        return False
    # https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request
    await gh.arequest("PATCH", path, json={"body": updated})
    return True


_KINDS = {"comment": "comment", "review": "review", "checks": "failing checks"}


def answers_of(events: list[FeedbackEvent]) -> str:
    """What a round answered, for its line: ``review by @alice, failing checks``."""
    parts = [f"{_KINDS[e.kind]} by @{e.actor}" if e.actor else _KINDS[e.kind] for e in events]
    return ", ".join(dict.fromkeys(parts))


async def note_round(
    lineage: dict[str, Any], round_id: str, sha: str, url: str, summary: str,
    events: list[FeedbackEvent],
) -> None:  # fmt: skip
    """The pushed round's line in the PR body, best effort: the commit and replies are out."""
    entry = {"key": round_id, "sha": sha, "url": url, "summary": summary}
    entry["answers"] = answers_of(events)
    with contextlib.suppress(*NOT_SHOWN):
        await update_pr_body_step(
            lineage["installation_id"], lineage["repo_full_name"], lineage["pr_number"], entry
        )
