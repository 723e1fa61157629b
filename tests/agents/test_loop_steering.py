"""A model that slips is answered and the run goes on: a prose reply is nudged, repeated slips
force the submission tool (asked for instead when extended thinking is on), rejected
submissions are counted only back to back, and the last turns are announced."""

from __future__ import annotations

from typing import Any

import pytest

from agents.errors import AgentGaveUp
from agents.loop import LoopConfig
from agents.transcript import Notice
from devtools.scripted_model import reply, text, thinking, tool_use
from tests.agents.test_loop import make_loop
from tests.agents.test_loop_fakes import scripted

FORCED = {"type": "tool", "name": "submit_answer"}
SUBMIT = reply(tool_use("submit_answer", {"summary": "done"}))
BROKEN = reply(tool_use("submit_answer", {"summary": 3}))
READ = reply(tool_use("read", {"path": "/workspace/a.py"}))


def last_user_text(body: dict[str, Any]) -> str:
    blocks = body["messages"][-1]["content"]
    return "\n".join(b.get("text", "") for b in blocks if b.get("type") == "text")


async def test_a_prose_reply_is_nudged_and_the_run_goes_on() -> None:
    model, fake = scripted([reply(text("The fix is in a.py; I am done.")), SUBMIT])
    loop = make_loop(model)
    result = await loop.run("Go.")
    assert result.output.summary == "done"
    assert result.turns == 2
    nudge = last_user_text(fake.requests[1].body)
    assert "without calling a tool" in nudge and "`submit_answer`" in nudge
    assert all("tool_choice" not in r.body for r in fake.requests)
    assert any(isinstance(e, Notice) and "no tool call" in e.text for e in loop.transcript)


async def test_three_prose_replies_in_a_row_force_the_submission_tool() -> None:
    prose = reply(text("Nothing more to do."))
    model, fake = scripted([prose, prose, prose, SUBMIT])
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "done"
    assert [r.body.get("tool_choice") for r in fake.requests] == [None, None, None, FORCED]
    assert "your next reply must call `submit_answer`" in last_user_text(fake.requests[3].body)


async def test_slips_separated_by_tool_calls_never_force_anything() -> None:
    prose = reply(text("Hmm."))
    model, fake = scripted([prose, prose, READ, prose, prose, SUBMIT])
    await make_loop(model).run("Go.")
    assert all("tool_choice" not in r.body for r in fake.requests)


async def test_with_thinking_on_the_submission_is_asked_for_never_forced() -> None:
    prose = reply(thinking("I think that is all."), text("All done."))
    model, fake = scripted([prose, prose, prose, SUBMIT])
    config = LoopConfig(max_tokens=4096, thinking_budget=2048)
    result = await make_loop(model, config=config).run("Go.")
    assert result.output.summary == "done"  # the scripted model would 400 a forced choice
    assert all("tool_choice" not in r.body for r in fake.requests)
    nudge = last_user_text(fake.requests[3].body)
    assert "cannot be forced" in nudge and "Call `submit_answer` in your next reply" in nudge


async def test_a_model_that_never_calls_a_tool_gives_up_after_the_slip_limit() -> None:
    prose = reply(thinking("Still thinking."), text("Done."))
    model, fake = scripted([prose] * 10)
    config = LoopConfig(max_tokens=4096, thinking_budget=2048)
    with pytest.raises(AgentGaveUp, match="7 turns in a row"):
        await make_loop(model, config=config).run("Go.")
    assert len(fake.requests) == 7


async def test_three_rejected_submissions_in_a_row_are_answered_and_the_fourth_valid_counts() -> (
    None
):
    model, fake = scripted([BROKEN, BROKEN, BROKEN, SUBMIT])
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "done"
    feedback = fake.requests[3].body["messages"][-1]["content"][0]
    assert feedback["is_error"] and "submit_answer was rejected" in feedback["content"]


async def test_a_fourth_rejected_submission_in_a_row_ends_the_agent() -> None:
    model, _ = scripted([BROKEN] * 4)
    with pytest.raises(AgentGaveUp, match="4 submit_answer calls in a row rejected"):
        await make_loop(model).run("Go.")


async def test_rejections_with_work_between_them_are_not_counted_together() -> None:
    model, _ = scripted([BROKEN, READ, BROKEN, READ, BROKEN, READ, BROKEN, READ, SUBMIT])
    result = await make_loop(model).run("Go.")
    assert result.output.summary == "done"


async def test_the_model_is_warned_three_turns_before_the_limit_and_forced_on_the_last() -> None:
    model, fake = scripted([READ] * 5 + [SUBMIT])
    result = await make_loop(model, config=LoopConfig(max_turns=6)).run("Go.")
    assert result.turns == 6
    texts = [last_user_text(r.body) for r in fake.requests]
    assert "3 turns are left of your 6" in texts[3]
    assert all("turns are left" not in t for t in texts[:3] + texts[4:])
    assert "This is your last turn (6 of 6)" in texts[5]
    assert [r.body.get("tool_choice") for r in fake.requests] == [None] * 5 + [FORCED]


async def test_with_thinking_the_last_turn_is_announced_but_not_forced() -> None:
    think_read = reply(thinking("Reading."), tool_use("read", {"path": "/workspace/a.py"}))
    think_submit = reply(thinking("Done."), tool_use("submit_answer", {"summary": "done"}))
    model, fake = scripted([think_read] * 3 + [think_submit])
    config = LoopConfig(max_turns=4, max_tokens=4096, thinking_budget=2048)
    await make_loop(model, config=config).run("Go.")
    assert all("tool_choice" not in r.body for r in fake.requests)
    assert "cannot be forced" in last_user_text(fake.requests[3].body)
