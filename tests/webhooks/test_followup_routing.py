"""Ingress sends feedback on pull requests to follow-up rounds, and issues to runs."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import load_fixture
from webhooks.router import _decide


def _comment(body: str, on_pull: bool) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(
        load_fixture("github_webhooks/issue_comment__created.payload.json")
    )
    payload["installation"] = {"id": 1}
    payload["comment"]["body"] = body
    payload["comment"]["user"]["type"] = "User"
    payload["issue"]["state"] = "open"
    payload["issue"].pop("pull_request", None)
    if on_pull:
        payload["issue"]["pull_request"] = {"url": "https://api.github.com/pulls/1"}
    return payload


def test_fix_on_a_pull_request_is_stored_as_feedback_for_a_round() -> None:
    outcome, request = _decide("sqlite://", "issue_comment", "created", _comment("/fix x", True))
    assert outcome == "pending"
    assert request is not None and set(request) == {"followup"}
    assert request["followup"]["key"].startswith("comment:")
    assert request["followup"]["text"] == "x"


def test_fix_on_an_issue_still_asks_for_a_run() -> None:
    outcome, request = _decide("sqlite://", "issue_comment", "created", _comment("/fix", False))
    assert outcome == "pending"
    assert request is not None and "followup" not in request and request["trigger"] == "comment"


def test_a_pull_request_comment_for_nobody_is_ignored_at_once() -> None:
    outcome, request = _decide("sqlite://", "issue_comment", "created", _comment("LGTM", True))
    assert outcome.startswith("ignored:") and request is None
