"""The edit tool: exact unique replacement; misses teach the model what is there."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.edit import EditTool


def test_edit_replaces_a_unique_match(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/a.py", b"def add(a, b):\n    return a - b\n")
    result = EditTool().run(
        sandbox, {"path": "edit/a.py", "old": "return a - b", "new": "return a + b"}
    )
    assert not result.is_error and "line 2" in result.content
    assert sandbox.read_file("edit/a.py") == b"def add(a, b):\n    return a + b\n"


def test_edit_without_match_shows_closest_lines(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/b.py", b"first = 1\nvalue = compute(x)\nlast = 3\n")
    result = EditTool().run(
        sandbox, {"path": "edit/b.py", "old": "value = compute( x )", "new": "v = 0"}
    )
    assert result.is_error and "0 matches" in result.content
    assert "     2\tvalue = compute(x)" in result.content
    assert sandbox.read_file("edit/b.py").startswith(b"first = 1\nvalue")


def test_edit_with_several_matches_says_how_many_and_where(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/c.txt", b"x = 1\ny = 2\nx = 1\n")
    result = EditTool().run(sandbox, {"path": "edit/c.txt", "old": "x = 1", "new": "x = 9"})
    assert result.is_error and "occurs 2 times (at lines 1, 3)" in result.content
    assert result.meta["matches"] == 2


def test_edit_replace_all(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/d.txt", b"x = 1\ny = 2\nx = 1\n")
    result = EditTool().run(
        sandbox, {"path": "edit/d.txt", "old": "x = 1", "new": "x = 9", "replace_all": True}
    )
    assert not result.is_error and "2 occurrences" in result.content
    assert sandbox.read_file("edit/d.txt") == b"x = 9\ny = 2\nx = 9\n"


def test_edit_refuses_symlink_escape_and_bad_input(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sf /etc/passwd edit-passwd")
    escaped = EditTool().run(sandbox, {"path": "edit-passwd", "old": "root", "new": "toor"})
    assert escaped.is_error and "outside /workspace" in escaped.content
    same = EditTool().run(sandbox, {"path": "README.md", "old": "demo", "new": "demo"})
    assert same.is_error and "identical" in same.content
    missing = EditTool().run(sandbox, {"path": "README.md", "old": "", "new": "x"})
    assert missing.is_error and "empty" in missing.content
