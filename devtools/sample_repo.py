"""The sample repository the demo and the end-to-end tests fix: a real bug, a failing test,
and a model script that fixes it through Fixer's real tools.
"""

from __future__ import annotations

from typing import Any

from devtools.scripted_model import reply, text, tool_use

REPO = "acme/calc"
AUTHOR = "sample-dev"

FILES: dict[str, str] = {
    "README.md": "# calc\n\nSmall statistics helpers.\n",
    ".gitignore": "__pycache__/\n*.pyc\n",
    "calc/__init__.py": "",
    "calc/stats.py": (
        "def mean(values):\n"
        '    """Arithmetic mean of a non-empty sequence of numbers."""\n'
        "    return sum(values) / (len(values) - 1)\n"
    ),
    "tests/__init__.py": "",
    "tests/test_stats.py": (
        "import unittest\n\nfrom calc.stats import mean\n\n\n"
        "class MeanTest(unittest.TestCase):\n"
        "    def test_mean_of_three(self):\n"
        "        self.assertEqual(mean([2, 4, 6]), 4)\n\n"
        "    def test_mean_of_one(self):\n"
        "        self.assertEqual(mean([5]), 5)\n"
    ),
    ".github/fixer.yml": "test: python3 -m unittest discover -s tests -v\nbudget_usd: 2\n",
    "AGENTS.md": "Keep functions small. Tests use unittest; run them before you finish.\n",
}

ISSUE_TITLE = "mean() returns the wrong value"
ISSUE_BODY = (
    "`calc.stats.mean([2, 4, 6])` returns 6.0 instead of 4, and `mean([5])` raises "
    "ZeroDivisionError. The test suite fails."
)
TEST_COMMAND = "python3 -m unittest discover -s tests -v"

PLAN: dict[str, Any] = {
    "summary": "mean() divides by len(values) - 1; it must divide by len(values).",
    "root_cause": "calc/stats.py: `sum(values) / (len(values) - 1)` is the sample-variance "
    "denominator, not the mean's.",
    "files_to_change": [{"path": "calc/stats.py", "why": "divide by len(values)"}],
    "steps": ["Change the denominator in mean() to len(values).", "Run the unit tests."],
    "test_plan": f"`{TEST_COMMAND}`: test_mean_of_three and test_mean_of_one pass.",
    "risks": ["Empty input still raises ZeroDivisionError, as documented (non-empty)."],
}


def result(summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "commands_run": [TEST_COMMAND],
        "tests_passed": True,
        "test_output_tail": "Ran 2 tests\n\nOK",
        "open_concerns": [],
    }


def fix_script() -> list[Any]:
    """Planner then coder, first round: 6 model replies, 5 real tool calls."""
    return [
        reply(
            text("Let me find mean()."),
            tool_use("grep", {"pattern": "def mean", "output_mode": "lines"}),
        ),
        reply(tool_use("read", {"path": "calc/stats.py"})),
        reply(text("The denominator is off by one."), tool_use("submit_plan", PLAN)),
        reply(
            tool_use(
                "edit",
                {"path": "calc/stats.py", "old": "(len(values) - 1)", "new": "len(values)"},
            )
        ),
        reply(tool_use("shell", {"command": TEST_COMMAND})),
        reply(tool_use("submit_result", result("calc/stats.py: mean() divides by len(values)."))),
    ]


def feedback_script() -> list[Any]:
    """A second coder round answering "say that the input must not be empty"."""
    return [
        reply(
            tool_use(
                "edit",
                {
                    "path": "calc/stats.py",
                    "old": '"""Arithmetic mean of a non-empty sequence of numbers."""',
                    "new": '"""Arithmetic mean of a non-empty sequence of numbers.\n\n'
                    '    Raises ZeroDivisionError when ``values`` is empty.\n    """',
                },
            )
        ),
        reply(tool_use("shell", {"command": TEST_COMMAND})),
        reply(tool_use("submit_result", result("Documented the empty-input error in mean()."))),
    ]
