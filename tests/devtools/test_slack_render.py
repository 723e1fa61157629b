"""devtools/slack_render: Fixer's real approval message, as the demo shows it in a terminal."""

from __future__ import annotations

import json

from app.slack.messages import (
    ApprovalContent,
    ApprovalStatus,
    approval_blocks,
    decided_blocks,
)
from devtools.slack_render import mrkdwn_to_text, render_blocks, render_message

DIFF = """\
diff --git a/calc/stats.py b/calc/stats.py
--- a/calc/stats.py
+++ b/calc/stats.py
@@ -1,3 +1,3 @@
 def mean(values):
-    return sum(values) / (len(values) - 1)
+    return sum(values) / len(values)
"""


def content() -> ApprovalContent:
    return ApprovalContent(
        run_id="acme/calc#1:1",
        repo_full_name="acme/calc",
        issue_number=1,
        issue_title="mean() returns <the> wrong value",
        issue_url="http://127.0.0.1:9/acme/calc/issues/1",
        plan_summary="Divide by len(values) & not len(values) - 1.",
        diff=DIFF,
        tests_passed=True,
        tests_summary="Ran 2 tests, OK",
        cost_usd=0.04,
        run_url="http://127.0.0.1:8/runs/acme%2Fcalc%231%3A1",
    )


def test_pending_approval_renders_header_sections_files_and_three_buttons() -> None:
    text = render_blocks(approval_blocks(content()))
    assert text.startswith("Fix ready for review: acme/calc#1\n=====")
    assert "Issue acme/calc#1 (http://127.0.0.1:9/acme/calc/issues/1)" in text
    assert "mean() returns <the> wrong value" in text
    assert "Divide by len(values) & not len(values) - 1." in text
    assert "Files changed (1, +1 −1)" in text
    assert "• `calc/stats.py` +1 −1" in text
    assert "✅ Tests passed\n    Ran 2 tests, OK" in text
    assert text.rstrip().endswith("[Approve & open PR] [Request changes] [Reject]")


def test_diff_preview_stays_verbatim_and_indented() -> None:
    text = render_blocks(approval_blocks(content()))
    assert "    -    return sum(values) / (len(values) - 1)" in text
    assert "    +    return sum(values) / len(values)" in text
    assert "```" not in text


def test_decided_message_shows_the_decision_instead_of_buttons() -> None:
    status = ApprovalStatus(
        state="pr_opened", actor_id="U0APPROVER", pr_url="http://127.0.0.1:9/acme/calc/pull/2"
    )
    text = render_blocks(decided_blocks(approval_blocks(content()), status))
    assert "[Approve & open PR]" not in text
    assert "Approved by @U0APPROVER · 🎉 PR opened: http://127.0.0.1:9/acme/calc/pull/2" in text


def test_blocks_given_as_a_json_string_render_the_same() -> None:
    blocks = approval_blocks(content())
    assert render_message({"blocks": json.dumps(blocks)}) == render_blocks(blocks)


def test_message_without_blocks_renders_its_text() -> None:
    assert render_message({"text": "Fixer has a *fix* for <http://x/1|acme/calc#1>"}) == (
        "Fixer has a fix for acme/calc#1 (http://x/1)"
    )


def test_emphasis_markers_inside_words_are_left_alone() -> None:
    assert mrkdwn_to_text("run test_mean_of_one and a*b*c, *bold* _it_") == (
        "run test_mean_of_one and a*b*c, bold it"
    )


def test_unknown_blocks_become_a_note_not_an_error() -> None:
    assert render_blocks([{"type": "video"}, {"type": "divider"}]) == "[video block]\n\n" + "-" * 40
