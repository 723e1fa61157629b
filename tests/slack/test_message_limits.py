"""The worst a run can produce still fits Slack's limits, counted after Slack's escaping, and
every cut is clean: no half entity, no code block left open."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from app.slack.messages import ApprovalStatus, approval_blocks
from app.slack.posting import post_approval, post_progress, update_approval
from devtools.slack_api import FakeSlack
from tests.slack.conftest import CHANNEL, RUN_ID, approval_content

MARKUP = "<script>&amp;``` `x` </b>&&<<>>\n"
_ENTITY = re.compile(r"&(amp|lt|gt);")


def worst_case() -> dict[str, Any]:
    long_line = "<&>`" * 5000  # one 20,000-character line
    diff = "diff --git a/x&y.py b/x&y.py\n--- a/x&y.py\n+++ b/x&y.py\n@@ -1,1 +1,400 @@\n-old\n"
    diff += "".join(f"+{MARKUP}" for _ in range(400))
    return {
        "issue_title": "<&>" * 85,
        "plan_summary": "```python\n" + MARKUP * 400 + long_line,
        "tests_summary": ("FAILED test_x - AssertionError: assert '<a>' == '&b' ```\n" * 60)[
            -1500:
        ],
        "tests_passed": False,
        "diff": diff,
    }


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [
            e["text"]
            for e in block.get("elements", [])
            if "text" in e and isinstance(e["text"], str)
        ]
    return found


def assert_clean(text: str) -> None:
    assert text.count("```") % 2 == 0, f"a code block is left open in {text[-200:]!r}"
    bare = _ENTITY.sub("", text)
    assert "<" not in re.sub(r"<(https?://|@|#)[^<>]*>", "", bare), "an unescaped < from the run"
    assert not re.search(r"&(?!amp;|lt;|gt;)", text), f"a cut entity in {text!r:.200}"


async def test_worst_case_approval_message_is_accepted_by_slack_and_cut_cleanly(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    content = approval_content(**worst_case())
    posted = await post_approval(web_client, CHANNEL, content)  # strict fake: would refuse
    message = slack.state.find(CHANNEL, posted["ts"])
    assert message is not None
    for text in _texts(message["blocks"]):
        assert_clean(text)
    blob = "\n".join(_texts(message["blocks"]))
    assert "plan trimmed" in blob and "diff trimmed" in blob
    # The tests' tail is what matters: its last line is shown, in a code block.
    assert "AssertionError: assert '&lt;a&gt;' == '&amp;b'" in blob


async def test_worst_case_feedback_and_failure_fit_after_escaping(
    slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    content = approval_content(**worst_case())
    posted = await post_approval(web_client, CHANNEL, content)
    feedback = MARKUP * 300
    status = ApprovalStatus(state="changes_requested", actor_id="U0ALICE", feedback=feedback)
    await update_approval(web_client, CHANNEL, posted["ts"], content, status)
    for text in _texts(approval_blocks(content, status)):
        assert_clean(text)
    reason = "ExternalServiceError: " + "<&>" * 20_000  # 60,000 characters, 140,000 escaped
    await post_progress(web_client, CHANNEL, posted["ts"], RUN_ID, "failed", reason)
    [reply] = [
        m for m in slack.state.thread(CHANNEL, posted["ts"]) if "Failed" in m.get("text", "")
    ]
    assert_clean(reply["text"])
    assert reply["text"].startswith("💥 Failed: ExternalServiceError: &lt;&amp;&gt;")
