"""The glob tool: real ``**`` semantics, newest first, .gitignore honoured, capped."""

from __future__ import annotations

import pytest

from agents.sandbox.docker import DockerSandbox
from agents.tools.glob import MAX_RESULTS, GlobTool, glob_to_regex


def lines(content: str) -> list[str]:
    return content.split("\n")


def names(content: str) -> list[str]:
    """The listed paths in path order (the tool lists newest first)."""
    return sorted(row for row in lines(content) if row and not row.startswith("["))


def test_star_stays_in_one_directory(sandbox: DockerSandbox) -> None:
    assert lines(GlobTool().run(sandbox, {"pattern": "src/*.py"}).content) == ["src/app.py"]


def test_double_star_spans_zero_or_more_directories(sandbox: DockerSandbox) -> None:
    result = GlobTool().run(sandbox, {"pattern": "**/*.py"})
    assert names(result.content) == ["src/app.py", "src/pkg/mod.py"]
    result = GlobTool().run(sandbox, {"pattern": "src/**/mod.py"})
    assert lines(result.content) == ["src/pkg/mod.py"]


def test_braces_and_classes(sandbox: DockerSandbox) -> None:
    result = GlobTool().run(sandbox, {"pattern": "src/**/*.{py,json}"})
    assert names(result.content) == ["src/app.py", "src/pkg/data.json", "src/pkg/mod.py"]
    assert names(GlobTool().run(sandbox, {"pattern": "[lr]*"}).content) == ["logo.bin", "run.sh"]


def test_git_directory_is_never_listed(sandbox: DockerSandbox) -> None:
    assert ".git/" not in GlobTool().run(sandbox, {"pattern": "**"}).content


def test_results_are_capped_with_a_count(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p many && cd many && touch $(seq -f 'f%04g.txt' 1 250)")
    result = GlobTool().run(sandbox, {"pattern": "many/*.txt"})
    assert len([x for x in lines(result.content) if x.startswith("many/")]) == MAX_RESULTS
    assert len(set(lines(result.content))) == len(lines(result.content))
    assert "[50 more matches not shown" in result.content
    assert result.meta["matches"] == 250


def test_newest_files_come_first(sandbox: DockerSandbox) -> None:
    sandbox.exec(
        "mkdir -p aged && touch -d '2020-01-01' aged/old.txt && touch -d '2024-01-01' "
        "aged/new.txt && touch -d '2022-01-01' aged/mid.txt aged/mid2.txt"
    )
    result = GlobTool().run(sandbox, {"pattern": "aged/*.txt"})
    assert lines(result.content) == [
        "aged/new.txt",
        "aged/mid.txt",
        "aged/mid2.txt",
        "aged/old.txt",
    ]


def test_gitignored_paths_are_skipped_and_the_result_says_so(sandbox: DockerSandbox) -> None:
    sandbox.exec(
        "mkdir -p .venv/lib node_modules/pkg build src/extra && touch .venv/lib/site.py "
        "node_modules/pkg/index.js build/gen.py debug.log src/extra/untracked.py"
    )
    result = GlobTool().run(sandbox, {"pattern": "**/*.py"})
    assert names(result.content) == ["src/app.py", "src/extra/untracked.py", "src/pkg/mod.py"]
    assert "skipped 3 path(s) ignored by .gitignore" in result.content
    for hidden in (".venv/", "build/", "node_modules/"):
        assert hidden in result.content.split("[skipped")[1], hidden
    assert result.meta["ignored"] == 3
    top = GlobTool().run(sandbox, {"pattern": "*.md"})  # nothing ignored could match
    assert top.content == "README.md" and top.meta["ignored"] == 0
    logs = GlobTool().run(sandbox, {"pattern": "**/*.log"})
    assert "no files match" in logs.content and "debug.log" in logs.content


def test_a_pattern_naming_an_ignored_directory_lists_it(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p node_modules/pkg/lib && touch node_modules/pkg/lib/main.js")
    result = GlobTool().run(sandbox, {"pattern": "node_modules/pkg/lib/*.js"})
    assert lines(result.content) == ["node_modules/pkg/lib/main.js"]


def test_deleted_tracked_files_are_not_listed(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p gone && touch gone/a.txt gone/b.txt")
    sandbox.exec("git add gone && rm gone/a.txt")
    assert lines(GlobTool().run(sandbox, {"pattern": "gone/*"}).content) == ["gone/b.txt"]


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
