"""The grep tool: ripgrep in the container, include globs, context, caps, errors."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.grep import MAX_LINES, GrepTool


def test_grep_finds_matches_with_paths_and_line_numbers(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": r"VALUE\w*"})
    assert "src/pkg/mod.py:1:VALUE = 1" in result.content
    assert "src/pkg/mod.py:3:VALUE_TWO = 3" in result.content


def test_grep_include_path_and_context(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "return", "include": "*.py", "context": 1})
    assert "src/app.py-1-def add(a, b):" in result.content
    assert "src/app.py:2:    return a - b" in result.content
    only = GrepTool().run(sandbox, {"pattern": "key", "path": "src/pkg/data.json"})
    assert only.content.startswith("src/pkg/data.json:1:")


def test_grep_respects_gitignore(sandbox: DockerSandbox) -> None:
    sandbox.exec("echo needle-ignored > debug.log && echo needle-kept > kept.txt")
    result = GrepTool().run(sandbox, {"pattern": "needle-"})
    assert "kept.txt" in result.content and "debug.log" not in result.content


def test_grep_regex_error_is_reported_as_such(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "foo(("})
    assert result.is_error and "invalid regular expression" in result.content


def test_grep_no_match(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "zzz-not-there"})
    assert not result.is_error and "no matches" in result.content


def test_grep_caps_results_and_counts_the_rest(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p grepcap && seq -f 'hit %g' 1 500 > grepcap/hits.txt")
    result = GrepTool().run(sandbox, {"pattern": "^hit", "path": "grepcap"})
    assert result.meta["lines"] == 500 and result.meta["shown"] == MAX_LINES
    assert "[300 more result lines not shown" in result.content


def test_grep_refuses_paths_outside_workspace(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sfn /etc etc-link")
    for path in ("etc-link", "/etc", ".."):
        result = GrepTool().run(sandbox, {"pattern": "root", "path": path})
        assert result.is_error and "outside /workspace" in result.content, path
