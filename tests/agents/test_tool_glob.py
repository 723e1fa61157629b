"""The glob tool: real ``**`` semantics, sorted, capped, relative to /workspace."""

from __future__ import annotations

import pytest

from agents.sandbox.docker import DockerSandbox
from agents.tools.glob import MAX_RESULTS, GlobTool, glob_to_regex


def lines(content: str) -> list[str]:
    return content.split("\n")


def test_star_stays_in_one_directory(sandbox: DockerSandbox) -> None:
    assert lines(GlobTool().run(sandbox, {"pattern": "src/*.py"}).content) == ["src/app.py"]


def test_double_star_spans_zero_or_more_directories(sandbox: DockerSandbox) -> None:
    result = GlobTool().run(sandbox, {"pattern": "**/*.py"})
    assert lines(result.content) == ["src/app.py", "src/pkg/mod.py"]
    result = GlobTool().run(sandbox, {"pattern": "src/**/mod.py"})
    assert lines(result.content) == ["src/pkg/mod.py"]


def test_braces_and_classes(sandbox: DockerSandbox) -> None:
    result = GlobTool().run(sandbox, {"pattern": "src/**/*.{py,json}"})
    assert lines(result.content) == ["src/app.py", "src/pkg/data.json", "src/pkg/mod.py"]
    assert lines(GlobTool().run(sandbox, {"pattern": "[lr]*"}).content) == ["logo.bin", "run.sh"]


def test_git_directory_is_never_listed(sandbox: DockerSandbox) -> None:
    assert ".git/" not in GlobTool().run(sandbox, {"pattern": "**"}).content


def test_results_are_capped_with_a_count(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p many && cd many && touch $(seq -f 'f%04g.txt' 1 250)")
    result = GlobTool().run(sandbox, {"pattern": "many/*.txt"})
    assert len([x for x in lines(result.content) if x.startswith("many/")]) == MAX_RESULTS
    assert lines(result.content)[0] == "many/f0001.txt"
    assert "[50 more matches not shown" in result.content
    assert result.meta["matches"] == 250


def test_no_match_and_bad_pattern(sandbox: DockerSandbox) -> None:
    assert "no files match" in GlobTool().run(sandbox, {"pattern": "*.rs"}).content
    assert GlobTool().run(sandbox, {"pattern": "{a,b"}).is_error
    assert GlobTool().run(sandbox, {"pattern": ""}).is_error


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [
        ("*.py", "/workspace/[^/]*\\.py"),
        ("**/x", "/workspace/(.*/)?x"),
        ("a/**", "/workspace/a/.*"),
    ],
)
def test_glob_to_regex(pattern: str, regex: str) -> None:
    assert glob_to_regex(pattern) == regex
