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


def test_edit_result_shows_the_edited_region_with_line_numbers(sandbox: DockerSandbox) -> None:
    body = "".join(f"line{n}\n" for n in range(1, 21))
    sandbox.write_file("edit/region.txt", body.encode())
    result = EditTool().run(
        sandbox, {"path": "edit/region.txt", "old": "line10\n", "new": "ten\nTEN\n"}
    )
    rows = result.content.split("\n")
    assert rows[0] == "edited edit/region.txt: replaced 1 occurrence at line 10:"
    assert rows[1] == "     6\tline6" and "    10\tten" in rows and "    11\tTEN" in rows
    assert rows[-1] == "    15\tline14"


def test_edit_refuses_to_break_python_json_or_toml(sandbox: DockerSandbox) -> None:
    cases = {
        "edit/ok.py": ("def f():\n    return 1\n", "return 1", "return (1", "line 2"),
        "edit/ok.json": ('{"a": 1,\n "b": 2}\n', '"b": 2', '"b": 2,', "line 2"),
        "edit/ok.toml": ('[tool]\nname = "x"\n', 'name = "x"', "name = x", "line 2"),
    }
    for path, (body, old, new, where) in cases.items():
        sandbox.write_file(path, body.encode())
        result = EditTool().run(sandbox, {"path": path, "old": old, "new": new})
        assert result.is_error and "edit not applied" in result.content, path
        assert f"parse error at {where}" in result.content, path
        assert sandbox.read_file(path) == body.encode(), path


def test_edit_of_a_file_that_never_parsed_is_applied(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/broken.py", b"def f(:\n    x = 1\n")
    result = EditTool().run(sandbox, {"path": "edit/broken.py", "old": "x = 1", "new": "x = 2"})
    assert not result.is_error
    assert sandbox.read_file("edit/broken.py") == b"def f(:\n    x = 2\n"


def test_edit_undoes_line_numbers_copied_from_read_output(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/numbered.py", b"def add(a, b):\n    return a - b\n")
    old = "     1\tdef add(a, b):\n     2\t    return a - b"
    new = "     1\tdef add(a, b):\n     2\t    return a + b"
    result = EditTool().run(sandbox, {"path": "edit/numbered.py", "old": old, "new": new})
    assert not result.is_error and "line-number prefixes" in result.content
    assert sandbox.read_file("edit/numbered.py") == b"def add(a, b):\n    return a + b\n"


def test_edit_matches_a_crlf_file_and_keeps_its_line_endings(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/dos.txt", b"one\r\ntwo\r\nthree\r\n")
    result = EditTool().run(
        sandbox, {"path": "edit/dos.txt", "old": "one\ntwo\n", "new": "one\n2\n"}
    )
    assert not result.is_error and "CRLF" in result.content
    assert sandbox.read_file("edit/dos.txt") == b"one\r\n2\r\nthree\r\n"


def test_edit_miss_says_tabs_versus_spaces(sandbox: DockerSandbox) -> None:
    sandbox.write_file("edit/tabs.go", b"func f() {\n\treturn 1\n}\n")
    result = EditTool().run(
        sandbox, {"path": "edit/tabs.go", "old": "    return 1", "new": "    return 2"}
    )
    assert result.is_error and "0 matches" in result.content
    assert "indented with 1 tab, `old` with 4 spaces (tabs vs spaces)" in result.content
    assert sandbox.read_file("edit/tabs.go") == b"func f() {\n\treturn 1\n}\n"


def test_edit_miss_candidates_never_overlap(sandbox: DockerSandbox) -> None:
    body = "".join(f"value_{n} = compute({n})\n" for n in range(30))
    sandbox.write_file("edit/windows.py", body.encode())
    old = "value_10 = compute( 10 )\nvalue_11 = compute( 11 )\nvalue_12 = compute( 12 )"
    result = EditTool().run(sandbox, {"path": "edit/windows.py", "old": old, "new": "x = 1"})
    headers = [row for row in result.content.split("\n") if row.startswith("--- lines ")]
    spans = [tuple(int(n) for n in h.split()[2].split("-")) for h in headers]
    assert len(spans) == 3 and spans[0] == (11, 13)
    for index, (low, high) in enumerate(spans):
        for other_low, other_high in spans[index + 1 :]:
            assert high < other_low or other_high < low, spans
