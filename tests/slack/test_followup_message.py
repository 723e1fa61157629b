"""A follow-up round's approval message: the feedback it answers, and Approve pushes."""

from __future__ import annotations

import json

from app.slack.messages import ApprovalStatus, approval_blocks, status_text
from tests.slack.conftest import approval_content

PR = "https://github.com/octo/hello/pull/9"


def test_followup_approval_shows_the_pr_and_the_feedback_and_offers_a_push() -> None:
    content = approval_content().model_copy(
        update={"pr_url": PR, "feedback": "### Feedback 1: review by @ann\nUse a guard clause."}
    )
    blocks = approval_blocks(content)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Follow-up ready for review" in text
    assert f"*Pull request* <{PR}>" in text and "Use a guard clause." in text
    approve = blocks[-1]["elements"][0]
    assert approve["text"]["text"] == "Approve & push"


def test_a_pushed_followup_links_the_commit() -> None:
    status = ApprovalStatus(state="pushed", pr_url=f"{PR}/commits/abc", actor_name="ann")
    assert f"<{PR}/commits/abc>" in status_text(status) and "Pushed" in status_text(status)


def test_the_first_rounds_message_is_unchanged() -> None:
    text = json.dumps(approval_blocks(approval_content()), ensure_ascii=False)
    assert "Fix ready for review" in text and "Feedback it answers" not in text
    assert "Approve & open PR" in text
