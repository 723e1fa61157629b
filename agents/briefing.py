"""The run's facts both agents are told in their first message: the repository's own
guidance, how its sandbox was set up, and how its tests run (and how that was chosen)."""

from __future__ import annotations

from agents import prompts
from agents.plan import RepoGuidance, SetupOutcome

FAILED_TAIL_LINES = 20


def guidance_section(guidance: RepoGuidance) -> str:
    """The repository's own instructions to agents, or nothing when it has none."""
    parts = [text.strip() for text in (guidance.agents_md, guidance.instructions) if text.strip()]
    if not parts:
        return ""
    return prompts.render("guidance", guidance_text="\n\n".join(parts)) + "\n"


def _outcome(outcome: SetupOutcome) -> str:
    line = f"- `{outcome.command}`: exit {outcome.exit_code}"
    if outcome.exit_code == 0:
        return line + " (ok)"
    tail = "\n".join(outcome.output_tail.rstrip().splitlines()[-FAILED_TAIL_LINES:])
    indented = "\n".join(f"      {row}" for row in tail.splitlines()) or "      (no output)"
    return f"{line} (FAILED); the end of its output:\n\n{indented}"


def setup_lines(guidance: RepoGuidance) -> str:
    if guidance.setup_outcomes:
        rows = "\n".join(_outcome(o) for o in guidance.setup_outcomes)
        failed = any(o.exit_code != 0 for o in guidance.setup_outcomes)
        note = (
            "\n\nA set-up command failed: what it should have installed may be missing."
            if failed
            else ""
        )
        return f"These set-up commands ran in /workspace before you started:\n\n{rows}{note}\n"
    if guidance.setup_commands:
        rows = "\n".join(f"- `{command}`" for command in guidance.setup_commands)
        return f"These set-up commands ran in /workspace before this round:\n\n{rows}\n"
    return (
        "The repository configures no set-up commands (`setup` in .github/fixer.yml): the "
        "sandbox holds the image's tools and the checkout, nothing installed from it.\n"
    )


def testing_lines(guidance: RepoGuidance) -> str:
    """The test command and where it came from, or that there is none."""
    if not guidance.test_command:
        return (
            "No test command is configured or was discovered: the coder finds how the tests "
            "run (README, CONTRIBUTING, Makefile, pyproject.toml, package.json, CI workflows).\n"
        )
    source = guidance.test_command_source or "the `test` setting of .github/fixer.yml"
    return f"The test command, from {source}:\n\n    {guidance.test_command}\n"


def setup_section(guidance: RepoGuidance) -> str:
    """The set-up commands (and how they went) and the test command, for either agent."""
    return prompts.render(
        "setup_section", setup=setup_lines(guidance), tests=testing_lines(guidance)
    )
