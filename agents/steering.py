"""What the loop tells a model that slipped, and when it forces the submission tool.

A reply without a tool call (a prose "I'm done"), a rejected submission and the last turns
are answered with a message and the run goes on, as SWE-agent re-asks on a format error and
mini-swe-agent sends the error back: one slip should not throw away a run's work. Only
repeated slips in a row force the submission tool (``tool_choice``), and only a long run of
them ends the agent. With extended thinking on the API refuses a forced tool, so then the
message asks instead, and says so.

All state here follows from the recorded replies, so a replayed run steers the same way.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agents import prompts


class SteeringConfig(BaseModel):
    """How patient the loop is with a model that slips."""

    force_after_slips: int = 3
    """Back-to-back replies without a tool call after which the submission is forced."""
    max_slips: int = 6
    """Back-to-back replies without a tool call that end the agent (reached only when the
    tool cannot be forced: extended thinking on)."""
    max_rejections: int = 3
    """Back-to-back rejected submissions answered with the reasons; one more ends the agent."""
    warn_turns_left: int = 3
    """Warn the model when this many turns are left."""


class Steering:
    """Counts slips and rejections of one agent run and words the loop's messages."""

    def __init__(
        self, submit: str, max_turns: int, *, thinking: bool, config: SteeringConfig
    ) -> None:
        self.submit, self.max_turns, self.thinking = submit, max_turns, thinking
        self.config = config
        self.slips = 0
        self.rejections = 0
        self.force_next = False

    def tool_choice(self) -> dict[str, Any] | None:
        """The next request's ``tool_choice``: the submission tool when it must come now."""
        if self.force_next and not self.thinking:
            return {"type": "tool", "name": self.submit}
        return None

    def asked(self) -> None:
        """A request went out: a forced choice applies to one request only."""
        self.force_next = False

    def no_tool_call(self) -> str | None:
        """The answer to a reply without a tool call, or None when the agent is done for."""
        self.slips += 1
        if self.slips > self.config.max_slips:
            return None
        text = prompts.render("nudge_no_tool", submit=self.submit).strip()
        if self.slips >= self.config.force_after_slips:
            self.force_next = True
            left = self.config.max_slips - self.slips + 1
            name = "nudge_forced_thinking" if self.thinking else "nudge_forced"
            forced = prompts.render(name, submit=self.submit, slips=str(self.slips), left=str(left))
            text += "\n\n" + forced.strip()
        return text

    def called_tools(self) -> None:
        self.slips = 0

    def rejected(self) -> bool:
        """A submission was rejected; False when that is one too many in a row."""
        self.rejections += 1
        return self.rejections <= self.config.max_rejections

    def accepted_nothing_wrong(self) -> None:
        """A turn with tool calls and no rejected submission: the rejection count restarts."""
        self.rejections = 0

    def turn_notes(self, turn: int) -> list[str]:
        """Messages to add after ``turn``'s results: turns running out."""
        left = self.max_turns - turn
        if left == 1:
            self.force_next = True
            name = "nudge_last_turn_thinking" if self.thinking else "nudge_last_turn"
            return [prompts.render(name, submit=self.submit, max=str(self.max_turns)).strip()]
        if left == self.config.warn_turns_left:
            return [
                prompts.render(
                    "nudge_turns_left", submit=self.submit, left=str(left), max=str(self.max_turns)
                ).strip()
            ]
        return []
