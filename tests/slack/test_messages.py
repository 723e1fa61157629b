"""The approval message: content, buttons, failing tests, and Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from app.slack.messages import (
    ApprovalStatus,
    approval_blocks,
    decided_blocks,
    status_text,
)
from app.slack.text import fit_lines
from tests.slack.conftest import RUN_ID, approval_content


def _text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_pending_message_shows_issue_plan_files_tests_cost_diff_link_and_buttons() -> None:
    blocks = approval_blocks(approval_content())
    text = _text(blocks)
    assert "<https://github.com/octo/hello/issues/7|octo/hello#7> greet(None) crashes" in text
    assert "Handle a missing name in greet()." in text
    assert "`hello/greet.py` +3 −1" in text
    assert "✅ *Tests passed*\\n```\\n3 passed\\n```" in text  # the output's tail, as code
    assert "$0.42" in text
    assert "```\\ndiff --git a/hello/greet.py" in text
    assert "http://fixer.local/runs/octo%2Fhello%237%3A1" in text

    actions = blocks[-1]
    assert actions["type"] == "actions"
    buttons = {b["action_id"]: b for b in actions["elements"]}
    assert list(buttons) == ["fixer_approve", "fixer_request_changes", "fixer_reject"]
    assert buttons["fixer_approve"]["style"] == "primary"
    assert buttons["fixer_approve"]["text"]["text"] == "Approve & open PR"
    assert buttons["fixer_reject"]["style"] == "danger"
    assert "confirm" in buttons["fixer_reject"]
    for button in buttons.values():
        assert json.loads(button["value"]) == {"run_id": RUN_ID, "round": 1}


def test_failing_tests_are_marked_clearly() -> None:
    text = _text(approval_blocks(approval_content(tests_passed=False, tests_summary="1 failed")))
    assert "❌ *TESTS FAILED*" in text and "```\\n1 failed\\n```" in text


def test_long_plan_and_diff_are_trimmed_within_slack_limits_with_a_note() -> None:
    huge_diff = "diff --git a/big.py b/big.py\n--- a/big.py\n+++ b/big.py\n@@ -0,0 +1,5000 @@\n"
    huge_diff += "".join(f"+line {i} <&>\n" for i in range(5000))
    many = "".join(f"diff --git a/f{i}.py b/f{i}.py\n" for i in range(60))
    content = approval_content(
        plan_summary="step\n" * 2000, diff=huge_diff + many, issue_title="t" * 500,
        repo_full_name="o" * 100 + "/" + "r" * 100,
    )  # fmt: skip
    blocks = approval_blocks(content)
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    for section in _sections(blocks):
        assert len(section) <= 3000
    text = _text(blocks)
    assert "plan trimmed" in text
    assert "diff trimmed: the full diff is attached in the thread" in text
    assert "and 36 more files" in text
    assert "&lt;&amp;&gt;" in text  # Slack's reserved characters are escaped


def test_decided_message_replaces_the_buttons_with_the_decision() -> None:
    blocks = approval_blocks(approval_content())
    approved = decided_blocks(blocks, ApprovalStatus(state="approved", actor_id="U123"))
    assert all(b.get("block_id") != "fixer_actions" for b in approved)
    assert approved[-1]["text"]["text"] == "✅ Approved by <@U123> — opening the PR…"

    opened = approval_blocks(
        approval_content(),
        ApprovalStatus(state="pr_opened", actor_id="U123", pr_url="https://github.com/o/r/pull/9"),
    )
    assert "PR opened: <https://github.com/o/r/pull/9>" in opened[-1]["text"]["text"]
    assert (
        sum(
            b.get("block_id") == "fixer_status"
            for b in decided_blocks(opened, ApprovalStatus(state="expired"))
        )
        == 1
    )


def test_status_lines_name_who_decided() -> None:
    assert (
        status_text(ApprovalStatus(state="rejected", actor_id="U0ALICE"))
        == "🛑 Rejected by <@U0ALICE>"
    )
    changes = status_text(
        ApprovalStatus(state="changes_requested", actor_id="U0ALICE", feedback="a\nb")
    )
    assert changes == "✏️ Changes requested by <@U0ALICE>:\n> a\n> b"
    assert status_text(ApprovalStatus(state="expired")).startswith("⌛ Expired")
    # A CLI decision names the person, not a Slack mention.
    assert status_text(ApprovalStatus(state="approved", actor_id="alice", actor_name="")) == (
        "✅ Approved by alice — opening the PR…"
    )


def test_fit_lines_never_cuts_an_escaped_entity() -> None:
    assert fit_lines("a" * 8 + "&amp;" + "b" * 10, 12, "…") == "a" * 8 + "\n…"
