"""A real run (``fixer serve``, GitHub and Slack emulations, scripted model, Docker): its page
while it awaits approval and after the PR, its JSON, ``/metrics``, and a crash mid-run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from app.telemetry import trace_id_of
from devtools import sample_repo
from devtools.stack import Stack, wait_until
from tests.observability.otlp_sink import OtlpSink

RUN = f"{sample_repo.REPO}#1:1"
JSON = {"Accept": "application/json"}


def page_url(stack: Stack) -> str:
    return f"{stack.url}/runs/{quote(RUN, safe='')}"


def run_json(stack: Stack) -> dict[str, Any]:
    return dict(httpx.get(page_url(stack), headers=JSON, timeout=10).json())


def metric(stack: Stack, line_start: str) -> float:
    text = httpx.get(f"{stack.url}/metrics", timeout=10).text
    values = [
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)
    ]
    return sum(values)


def test_page_of_a_run_awaiting_approval_then_finished(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    wait_until(lambda: run_json(stack)["run"]["state"] == "awaiting_approval", what="the state")

    # The status comment links the page with the encoded id; that address resolves.
    page = httpx.get(page_url(stack), timeout=10)
    assert page.status_code == 200
    text = page.text
    assert sample_repo.PLAN["summary"] in text.replace("&#39;", "'")
    for shown in (
        "grep pattern=",
        "calc/stats.py:1:def mean(values):",
        "read path=",
        "edited calc/stats.py",
        "$ python3 -m unittest",
        "Ran 2 tests",
    ):
        assert shown in text.replace("&#39;", "'"), shown
    assert "Let me find mean()." in text and "The denominator is off by one." in text
    assert "calc/stats.py" in text and 'class="add"' in text and "Round 1" in text
    assert "location.reload" in text  # still live: awaiting approval

    data = run_json(stack)
    kinds = Counter(event["kind"] for event in data["timeline"])
    assert kinds["model_call"] == len(sample_repo.fix_script())
    assert kinds["plan"] == 1 and kinds["diff"] == 1
    effects = [e["data"]["effect"] for e in data["timeline"] if e["kind"] == "side_effect"]
    assert "status_comment" in effects and "slack_approval" in effects
    assert "+    return sum(values) / len(values)" in data["diffs"][0]["patch"]
    assert metric(stack, 'fixer_runs{state="awaiting_approval"}') == 1
    assert metric(stack, 'fixer_llm_tokens_total{kind="output"') > 0

    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: run_json(stack)["run"]["state"] == "pr_opened", what="the PR state")
    done = run_json(stack)
    [decision] = [e for e in done["timeline"] if e["kind"] == "decision"]
    assert decision["data"]["action"] == "approve" and decision["data"]["who"]
    pull = [e for e in done["timeline"] if e["data"].get("effect") == "pull_request"]
    assert pull and pull[0]["data"]["url"] == done["run"]["pr_url"]
    assert metric(stack, 'fixer_runs{state="pr_opened"}') == 1
    assert metric(stack, 'fixer_runs{state="awaiting_approval"}') == 0
    assert metric(stack, "fixer_approval_wait_seconds_count") == 1
    assert "location.reload" not in httpx.get(page_url(stack), timeout=10).text


def test_a_crash_mid_run_leaves_each_timeline_event_once(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: len(stack.model.requests) >= 5, what="the coder mid-way")
    stack.kill_fixer()
    stack.start_fixer()  # the run replays: the loop re-emits every event it had emitted
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    wait_until(lambda: run_json(stack)["run"]["state"] == "awaiting_approval", what="the state")
    timeline = run_json(stack)["timeline"]
    calls = Counter(
        (e["agent"].split(".")[0], e["data"]["name"])
        for e in timeline
        if e["kind"] == "tool_output"
    )
    assert calls == {
        ("planner", "grep"): 1,
        ("planner", "read"): 1,
        ("planner", "submit_plan"): 1,
        ("coder", "edit"): 1,
        ("coder", "shell"): 1,
        ("coder", "submit_result"): 1,
    }
    models = [e for e in timeline if e["kind"] == "model_call"]
    assert len(models) == len(sample_repo.fix_script())
    assert len([e for e in timeline if e["kind"] == "plan"]) == 1


def test_spans_exported_by_fixer_serve_survive_a_crash_without_duplicates(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    sink = OtlpSink()
    try:
        stack = make_stack(sample_repo.fix_script())
        stack.env.update(OTEL_EXPORTER_OTLP_ENDPOINT=sink.url, OTEL_BSP_SCHEDULE_DELAY="50")
        stack.start_fixer()
        stack.open_issue()
        # Kill once the planner's spans are out (a batch not yet exported dies with the process).
        wait_until(
            lambda: any(s.name == "invoke_agent planner" for s in sink.spans), what="planner span"
        )
        stack.kill_fixer()
        stack.start_fixer()
        wait_until(lambda: stack.approval_messages(), what="the approval message")
        assert stack.click("fixer_approve", RUN, 1).status_code == 200
        wait_until(lambda: any(s.name == "run fix_issue" for s in sink.spans), what="run span")
        ids = Counter(bytes(s.span_id) for s in sink.spans)
        assert max(ids.values()) == 1  # no span twice, replay or not
        names = Counter(s.name.split(" ")[0] for s in sink.spans)
        assert names["chat"] == len(sample_repo.fix_script())
        assert names["invoke_agent"] == 2 and names["run"] == 1
        assert names["execute_tool"] == 4  # grep, read, edit, shell
        assert {bytes(s.trace_id).hex() for s in sink.spans} == {trace_id_of(RUN)}
        chat = next(s for s in sink.spans if s.name.startswith("chat"))
        attributes = {a.key: a.value for a in chat.attributes}
        assert attributes["gen_ai.system"].string_value == "anthropic"
        assert attributes["gen_ai.usage.output_tokens"].int_value > 0
    finally:
        sink.stop()
