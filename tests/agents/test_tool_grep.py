"""The grep tool: ripgrep in the container; files with counts or lines, sorted, capped."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.grep import MAX_FILES, MAX_LINES, GrepTool


def test_grep_lists_matching_files_with_counts_by_default(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": r"VALUE\w*|return"})
    assert result.content.split("\n") == [
        "3 matching lines in 2 files",
        "src/app.py:1",
        "src/pkg/mod.py:2",
    ]
    assert result.meta["lines"] == 3 and result.meta["files"] == 2


def test_grep_lines_mode_shows_paths_and_line_numbers(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": r"VALUE\w*", "output_mode": "lines"})
    assert result.content.split("\n") == [
        "2 matching lines in 1 file",
        "src/pkg/mod.py:1:VALUE = 1",
        "src/pkg/mod.py:3:VALUE_TWO = 3",
    ]


def test_grep_include_path_and_context(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "return", "include": "*.py", "context": 1})
    assert "src/app.py-1-def add(a, b):" in result.content  # context implies lines mode
    assert "src/app.py:2:    return a - b" in result.content
    only = GrepTool().run(
        sandbox, {"pattern": "key", "path": "src/pkg/data.json", "output_mode": "lines"}
    )
    assert only.content.split("\n")[1].startswith("src/pkg/data.json:1:")


def test_grep_ignore_case(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p grepcase && printf 'Needle\\nNEEDLE\\nneedle\\n' > grepcase/c.txt")
    exact = GrepTool().run(sandbox, {"pattern": "needle", "path": "grepcase"})
    folded = GrepTool().run(sandbox, {"pattern": "needle", "path": "grepcase", "ignore_case": True})
    assert exact.content.split("\n")[1] == "grepcase/c.txt:1"
    assert folded.content.split("\n")[1] == "grepcase/c.txt:3"


def test_grep_output_is_sorted_by_path_every_time(sandbox: DockerSandbox) -> None:
    sandbox.exec(
        "mkdir -p grepsort/b grepsort/a && for f in z y x w v; do echo hit > grepsort/b/$f.txt; "
        "echo hit > grepsort/a/$f.txt; done"
    )
    for mode in ("files_with_counts", "lines"):
        first = GrepTool().run(sandbox, {"pattern": "hit", "path": "grepsort", "output_mode": mode})
        rows = first.content.split("\n")[1:]
        assert rows == sorted(rows) and len(rows) == 10, mode
        again = GrepTool().run(sandbox, {"pattern": "hit", "path": "grepsort", "output_mode": mode})
        assert again.content == first.content, mode


def test_grep_respects_gitignore(sandbox: DockerSandbox) -> None:
    sandbox.exec("echo needle-ignored > debug.log && echo needle-kept > kept.txt")
    result = GrepTool().run(sandbox, {"pattern": "needle-"})
    assert "kept.txt" in result.content and "debug.log" not in result.content


def test_grep_regex_error_is_reported_as_such(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "foo(("})
    assert result.is_error and "invalid regular expression" in result.content


def test_grep_no_match_and_bad_mode(sandbox: DockerSandbox) -> None:
    result = GrepTool().run(sandbox, {"pattern": "zzz-not-there"})
    assert not result.is_error and "no matches" in result.content
    bad = GrepTool().run(sandbox, {"pattern": "x", "output_mode": "count"})
    assert bad.is_error and "files_with_counts" in bad.content


def test_grep_lines_overflow_names_what_was_left_out(sandbox: DockerSandbox) -> None:
    sandbox.exec(
        "mkdir -p grepcap && seq -f 'hit %g' 1 150 > grepcap/a.txt && "
        "seq -f 'hit %g' 1 100 > grepcap/b.txt && for n in 1 2 3; do "
        "seq -f 'hit %g' 1 5 > grepcap/c$n.txt; done"
    )
    result = GrepTool().run(sandbox, {"pattern": "^hit", "path": "grepcap", "output_mode": "lines"})
    assert result.meta["lines"] == 265 and result.meta["shown"] == MAX_LINES
    assert result.content.split("\n")[0] == "265 matching lines in 5 files"
    assert result.content.endswith(
        "[… 65 more matching lines in 4 files not shown: grepcap/b.txt (50 more), "
        "grepcap/c1.txt, grepcap/c2.txt, grepcap/c3.txt; narrow the search with path or include]"
    )


def test_grep_files_overflow_names_what_was_left_out(sandbox: DockerSandbox) -> None:
    sandbox.exec(
        "mkdir -p grepmany && cd grepmany && for n in $(seq -w 1 230); do echo hit > f$n.txt; done"
    )
    result = GrepTool().run(sandbox, {"pattern": "hit", "path": "grepmany"})
    rows = result.content.split("\n")
    assert len(rows) == 1 + MAX_FILES + 1 and rows[1] == "grepmany/f001.txt:1"
    assert rows[-1].startswith(
        "[… 30 more matching lines in 30 files not shown: grepmany/f201.txt, grepmany/f202.txt,"
    )
    assert "grepmany/f210.txt, …;" in rows[-1]


def test_grep_refuses_paths_outside_workspace(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sfn /etc etc-link")
    for path in ("etc-link", "/etc", ".."):
        result = GrepTool().run(sandbox, {"pattern": "root", "path": path})
        assert result.is_error and "outside /workspace" in result.content, path
