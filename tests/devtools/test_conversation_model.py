"""The conversation model answers each run's planner and coder from the request alone."""

from __future__ import annotations

import json
from typing import Any

from devtools import sample_repo
from devtools.conversation_model import ConversationModel, ModelFaults, RunKey, run_of
from devtools.scripted_model import ScriptedError, ScriptedModel

SCRIPT = sample_repo.fix_script()


def request(agent: str, repo: str, issue: int, turns: int) -> dict[str, Any]:
    """A request shaped like the agent loop's: task first, then ``turns`` exchanges."""
    submit = "submit_plan" if agent == "planner" else "submit_result"
    messages: list[dict[str, Any]] = [
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": f"Plan a fix for issue #{issue} in the repository {repo}.\n\nbody",
                }
            ],
        }
    ]
    for turn in range(turns):
        messages.append({"role": "assistant", "content": [{"type": "text", "text": str(turn)}]})
        messages.append({"role": "user", "content": [{"type": "text", "text": "ok"}]})
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 1024,
        "tools": [{"name": "read", "input_schema": {}}, {"name": submit, "input_schema": {}}],
        "messages": messages,
    }


def test_replies_follow_agent_and_turn_whatever_the_interleaving() -> None:
    model = ConversationModel()
    order = [
        ("coder", "acme/calc-2", 7, 2),
        ("planner", "acme/calc-1", 1, 0),
        ("coder", "acme/calc-1", 1, 0),
        ("planner", "acme/calc-2", 7, 2),
    ]
    answers = {key: model(request(*key)) for key in order}
    assert answers[("planner", "acme/calc-1", 1, 0)] == SCRIPT[0]
    assert answers[("planner", "acme/calc-2", 7, 2)] == SCRIPT[2]
    assert answers[("coder", "acme/calc-1", 1, 0)] == SCRIPT[3]
    assert answers[("coder", "acme/calc-2", 7, 2)] == SCRIPT[5]
    assert model.answered[(RunKey("acme/calc-1", 1), "planner")] == 1


def test_the_run_comes_from_the_first_user_message_without_the_full_stop() -> None:
    assert run_of(request("planner", "acme/calc-12", 3, 1)) == RunKey("acme/calc-12", 3)


def test_a_turn_past_the_script_is_a_400_that_says_why() -> None:
    answer = ConversationModel()(request("coder", "acme/calc", 1, 3))
    assert isinstance(answer, ScriptedError) and answer.status == 400
    assert "turn 4" in answer.message


def test_faults_are_seeded_and_cover_every_kind() -> None:
    def draw() -> list[str]:
        model = ConversationModel(faults=ModelFaults(rate=0.5, seed=3, slow_s=0))
        kinds = []
        for issue in range(200):
            answer = model(request("planner", "acme/calc", issue, 0))
            kinds.append(str(answer.status) if isinstance(answer, ScriptedError) else "ok")
        return kinds

    first = draw()
    assert first == draw()
    assert {"ok", "429", "529", "500"} <= set(first)
    assert 60 < first.count("ok") < 140


def test_works_as_scripted_model_items_over_the_wire() -> None:
    responder = ConversationModel(faults=ModelFaults(rate=0.0))
    model = ScriptedModel(responder.script(10))
    body = json.dumps(request("planner", "acme/calc-3", 2, 1)).encode()
    wire = model.respond("POST", "/v1/messages", {}, body)
    assert wire.status == 200
    assert json.loads(wire.body)["content"][0]["name"] == "read"
