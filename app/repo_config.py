"""A repository's ``.github/fixer.yml`` (DESIGN §3), parsed strictly.

An invalid file stops the run before it spends anything, and the error quotes the line
that is wrong so the maintainer can fix it from the issue comment alone.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from app.errors import RepoConfigError

CONFIG_PATH = ".github/fixer.yml"


def _thinking_tokens(value: int) -> int:
    # https://docs.claude.com/en/docs/build-with-claude/extended-thinking: budget_tokens >= 1024
    if value != 0 and not 1024 <= value <= 128_000:
        raise ValueError("must be 0 (off) or between 1024 (the API's minimum) and 128000")
    return value


ThinkingTokens = Annotated[int, AfterValidator(_thinking_tokens)]


class ThinkingBudgets(BaseModel):
    """Extended-thinking tokens per model call, for each agent (0 = off)."""

    model_config = ConfigDict(extra="forbid")

    planner: ThinkingTokens = 0
    coder: ThinkingTokens = 0


class RepoConfig(BaseModel):
    """Per-repository settings; every field optional, defaults are safe."""

    model_config = ConfigDict(extra="forbid")

    image: str | None = None
    """Sandbox image for this repository (default: ``FIXER_SANDBOX_IMAGE``)."""
    setup: list[str] = Field(default_factory=list)
    """Commands run in the sandbox with the network on, before the agents start."""
    test: str | None = None
    """The command the coder must run; discovered from the repository when absent."""
    network: Literal["none", "bridge"] = "none"
    """Network during agent work: ``none`` (default) or ``bridge``."""
    model: str | None = None
    budget_usd: float = Field(default=5.0, gt=0, le=1000)
    max_turns: int = Field(default=60, ge=1, le=500)
    trigger: str = "issues"
    """``issues`` (every new issue from a collaborator) or the name of a label."""
    instructions: str = ""
    approval_timeout_hours: float = Field(default=72, gt=0, le=24 * 30)
    max_rounds: int = Field(default=3, ge=1, le=20)
    planner_model: str | None = None
    """The planner's model (default: ``model``, else FIXER_PLANNER_MODEL, else FIXER_MODEL)."""
    coder_model: str | None = None
    """The coder's model (default: ``model``, else FIXER_CODER_MODEL, else FIXER_MODEL)."""
    thinking: ThinkingBudgets | None = None
    """Extended thinking: tokens per model call for both agents, or ``{planner: N, coder: N}``;
    0 = off; absent = FIXER_THINKING_BUDGET."""
    allow_workflow_changes: bool = False
    """Let the coder change ``.github/workflows/`` and push it; GitHub accepts that only from
    an App granted ``workflows: write`` (add it to ``app.yml``'s ``default_permissions``)."""
    fix_checks: bool = True
    """Follow up on failing checks of Fixer's pull requests (check suites and Actions runs)."""
    check_fix_attempts: int = Field(default=2, ge=0, le=10)
    """Follow-up rounds for failing checks per pull request; after the last, Fixer says so."""
    followup_approval: Literal["slack", "none"] = "slack"
    """``slack``: a follow-up's commit waits for Approve in Slack like the first PR; ``none``:
    it is pushed at once (the team reviews on GitHub). The first PR always needs approval."""
    draft: Literal[True, False, "when_tests_fail"] = "when_tests_fail"
    """Open the pull request as a draft: always, never, or when the coder's tests failed."""
    reviewers: list[str] = Field(default_factory=list)
    """Logins, or ``org/team`` slugs, asked to review besides whoever started the run."""
    labels: list[str] = Field(default_factory=list)
    """Labels added to the pull request."""
    followup_planner_files: int = Field(default=3, ge=1, le=100)
    """A follow-up whose feedback names more files than this goes through the planner first."""

    @field_validator("thinking", mode="before")
    @classmethod
    def _one_number_for_both(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"planner": value, "coder": value}
        return value

    def thinking_for(self, agent: Literal["planner", "coder"]) -> int | None:
        """The thinking budget this file sets for ``agent``, or None (not set here)."""
        if self.thinking is None:
            return None
        budget: int = getattr(self.thinking, agent)
        return budget

    def accepts(self, trigger: str, label: str | None) -> bool:
        """Whether a trigger of this kind starts runs under this configuration."""
        if trigger == "opened":
            return self.trigger == "issues"
        if trigger == "labeled":
            return label is not None and label == self.trigger
        return True  # /fix comments, Slack mentions and the CLI are explicit requests


def parse_repo_config(text: str | None) -> RepoConfig:
    """The configuration in ``text`` (None or empty → defaults)."""
    if text is None or not text.strip():
        return RepoConfig()
    lines = text.splitlines()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line if exc.problem_mark else 0
        raise RepoConfigError(_quote(lines, line, f"not valid YAML: {exc.problem}")) from None
    if data is None:
        return RepoConfig()
    if not isinstance(data, dict):
        raise RepoConfigError(_quote(lines, 0, "the file must be a mapping of settings"))
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        line = _line_of(root, loc)
        what = ".".join(loc) or "file"
        message = "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
        raise RepoConfigError(_quote(lines, line, f"`{what}`: {message}")) from None


def _quote(lines: list[str], line: int, problem: str) -> str:
    shown = lines[line] if 0 <= line < len(lines) else ""
    return f"{CONFIG_PATH} line {line + 1}: {problem}\n    {shown}"


def _line_of(node: Any, loc: list[str]) -> int:
    """The 0-based line of the YAML node at ``loc`` (the deepest one that exists)."""
    line = node.start_mark.line if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == key), None)
            key_node = next((k for k, _ in node.value if str(k.value) == key), None)
            if match is None:
                return line
            line = key_node.start_mark.line if key_node is not None else match.start_mark.line
            node = match
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = node.start_mark.line
        else:
            return line
    return line
