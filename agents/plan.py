"""What the agents are given and what they hand back, as validated data.

``Plan`` and ``CoderResult`` double as the input schemas of the ``submit_plan`` and
``submit_result`` tools: the model fills them in, pydantic checks them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Issue(BaseModel):
    """The GitHub issue a run works on. ``title`` and ``body`` are untrusted user input."""

    repo: str
    """``owner/name``."""
    number: int
    title: str
    body: str = ""
    extra_instructions: str = ""
    """Text after ``/fix`` in a trigger comment (from a collaborator, still untrusted)."""


class SetupOutcome(BaseModel):
    """How one set-up command went in the sandbox before the agents started."""

    command: str
    exit_code: int
    output_tail: str = ""
    """The last lines of its output (shown to the agents when it failed)."""


class RepoGuidance(BaseModel):
    """What the repository tells agents: its AGENTS.md/CLAUDE.md and ``.github/fixer.yml``,
    and how its sandbox was set up."""

    agents_md: str = ""
    """Contents of AGENTS.md (and CLAUDE.md where present)."""
    instructions: str = ""
    """The ``instructions`` setting of ``.github/fixer.yml``."""
    test_command: str | None = None
    """The ``test`` setting, or the command discovered from the repository's files; ``None``
    asks the coder to find how to run the tests."""
    test_command_source: str = ""
    """How ``test_command`` was chosen, in words (``the `test` setting of
    .github/fixer.yml``, ``discovered from package.json's `test` script``); empty = the
    configured setting."""
    setup_commands: list[str] = []
    """The ``setup`` commands run in the sandbox before the agents start."""
    setup_outcomes: list[SetupOutcome] = []
    """How each of them went, in order; empty when not known (a later review round)."""
    allow_workflow_changes: bool = False
    """The ``allow_workflow_changes`` setting: the coder may change ``.github/workflows/``."""


class FileChange(BaseModel):
    """A file the plan expects to change, and why."""

    path: str = Field(min_length=1, description="Path relative to /workspace.")
    why: str = Field(min_length=1, description="What changes in this file and why.")


class Plan(BaseModel):
    """The planner's result: how to fix the issue, precise enough for the coder to follow."""

    summary: str = Field(min_length=1, description="One paragraph: what is wrong, what to do.")
    root_cause: str = Field(min_length=1, description="Why the bug happens, citing code.")
    files_to_change: list[FileChange] = Field(min_length=1)
    steps: list[str] = Field(min_length=1, description="Ordered, concrete steps.")
    test_plan: str = Field(
        min_length=1, description="Tests to add or run, and the command that runs them."
    )
    risks: list[str] = Field(default_factory=list, description="What could break; unknowns.")

    def to_markdown(self) -> str:
        """The plan as Markdown, for the coder's prompt, Slack and the run page."""
        files = "\n".join(f"- `{change.path}`: {change.why}" for change in self.files_to_change)
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(self.steps, start=1))
        risks = "\n".join(f"- {risk}" for risk in self.risks) or "- none noted"
        return (
            f"**Summary.** {self.summary}\n\n**Root cause.** {self.root_cause}\n\n"
            f"**Files to change**\n{files}\n\n**Steps**\n{steps}\n\n"
            f"**Test plan.** {self.test_plan}\n\n**Risks**\n{risks}"
        )


class CoderResult(BaseModel):
    """The coder's report once the change is made and tested."""

    summary: str = Field(min_length=1, description="What was changed, file by file.")
    commands_run: list[str] = Field(
        default_factory=list, description="Commands run to build and test, in order."
    )
    tests_passed: bool = Field(description="True only if the test command passed last run.")
    test_output_tail: str = Field(
        default="", description="The last ~40 lines of the final test run."
    )
    open_concerns: list[str] = Field(
        default_factory=list, description="Anything a reviewer should look at closely."
    )
