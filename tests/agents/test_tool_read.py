"""The read tool: numbered lines, ranges, caps, binary refusal, confinement."""

from __future__ import annotations

from agents.context import ContextConfig, cap_output
from agents.sandbox.docker import DockerSandbox
from agents.tools.read import ReadTool


def test_read_numbers_lines_like_cat_n(sandbox: DockerSandbox) -> None:
    result = ReadTool().run(sandbox, {"path": "src/pkg/mod.py"})
    assert not result.is_error
    assert result.content.split("\n")[0] == "     1\tVALUE = 1"
    assert result.content.split("\n")[2] == "     3\tVALUE_TWO = 3"


def test_read_offset_and_limit_show_a_range_and_where_to_continue(
    sandbox: DockerSandbox,
) -> None:
    sandbox.exec("seq 1 50 > numbers.txt")
    result = ReadTool().run(sandbox, {"path": "numbers.txt", "offset": 10, "limit": 5})
    lines = result.content.split("\n")
    assert lines[0] == "    10\t10" and lines[4] == "    14\t14"
    assert "showing lines 10-14 of 50; read on with offset=15" in lines[5]


def test_read_shows_about_50_kb_then_says_where_to_continue(sandbox: DockerSandbox) -> None:
    sandbox.exec("python3 -c \"print(('x' * 99 + '\\n') * 5000, end='')\" > big.txt")
    result = ReadTool().run(sandbox, {"path": "big.txt"})
    assert not result.is_error
    rows = result.content.split("\n")
    assert rows[0] == "     1\t" + "x" * 99 and rows[499] == "   500\t" + "x" * 99
    assert rows[-1] == "[showing lines 1-500 of 5000; read on with offset=501]"
    later = ReadTool().run(sandbox, {"path": "big.txt", "offset": 4990})
    assert later.content.split("\n")[-1] == "  5000\t" + "x" * 99


def test_read_of_a_directory_lists_two_levels(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p build/out && touch build/out/gen.py src/pkg/deeper.txt")
    result = ReadTool().run(sandbox, {"path": "."})
    rows = result.content.split("\n")
    assert rows[0].startswith("./ (directory;")
    for row in ("README.md", "logo.bin", "src/", "  app.py", "  pkg/"):
        assert row in rows, row
    assert "build/  (ignored by .gitignore)" in rows and "  out/" not in rows
    assert not any(row == ".git/" or "mod.py" in row for row in rows)  # .git; 3rd level
    named = ReadTool().run(sandbox, {"path": "build"}).content.split("\n")
    assert named[1:] == ["out/", "  gen.py"]  # an ignored directory read by name is opened
    inner = ReadTool().run(sandbox, {"path": "src"}).content.split("\n")
    assert inner[1:] == ["app.py", "pkg/", "  data.json", "  deeper.txt", "  mod.py"]


def test_read_of_a_big_directory_says_what_it_left_out(sandbox: DockerSandbox) -> None:
    sandbox.exec("mkdir -p wide/sub && touch $(seq -f 'wide/sub/f%02g' 1 50)")
    rows = ReadTool().run(sandbox, {"path": "wide"}).content.split("\n")
    assert rows[1:3] == ["sub/", "  f01"] and rows[-1] == "  [… 20 more entries in sub/]"


def test_read_of_a_missing_path_suggests_near_names(sandbox: DockerSandbox) -> None:
    for wrong, right in (
        ("src/ap.py", "src/app.py"),
        ("app.py", "src/app.py"),
        ("scr/app.py", "src/app.py"),
        ("src/pkg/mod.pyy", "src/pkg/mod.py"),
        ("READM.md", "README.md"),
    ):
        result = ReadTool().run(sandbox, {"path": wrong})
        assert result.is_error and f"{wrong} does not exist. Did you mean: {right}" in (
            result.content
        ), result.content
    far = ReadTool().run(sandbox, {"path": "zzzz/qqqq.rs"})
    assert "Nothing in the workspace has a similar name" in far.content


def test_read_refuses_binary_with_size_and_type(sandbox: DockerSandbox) -> None:
    result = ReadTool().run(sandbox, {"path": "logo.bin"})
    assert result.is_error
    assert "binary file (1,024 bytes" in result.content
    assert "charset=binary" in result.content


def test_read_missing_file_is_an_error(sandbox: DockerSandbox) -> None:
    result = ReadTool().run(sandbox, {"path": "nope.txt"})
    assert result.is_error and "does not exist" in result.content


def test_read_refuses_symlink_escape(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sf /etc/passwd passwd-link && ln -sfn .. up-link")
    for path in ("passwd-link", "up-link/etc/passwd", "/etc/passwd", "../etc/hostname"):
        result = ReadTool().run(sandbox, {"path": path})
        assert result.is_error, path
        assert "outside /workspace" in result.content
        assert "root:" not in result.content


def test_read_rejects_bad_arguments(sandbox: DockerSandbox) -> None:
    result = ReadTool().run(sandbox, {"path": "README.md", "offset": 0})
    assert result.is_error and "between 1 and" in result.content


def test_a_full_read_fits_the_loops_result_cap_uncut(sandbox: DockerSandbox) -> None:
    sandbox.exec("python3 -c \"print(('y' * 9 + '\\n') * 9000, end='')\" > short-lines.txt")
    result = ReadTool().run(sandbox, {"path": "short-lines.txt"})
    assert result.content.split("\n")[-1].startswith("[showing lines 1-2000 of 9000")
    assert cap_output(result.content, ContextConfig().tool_output_chars) == result.content
    sandbox.exec("python3 -c \"print(('w' * 199 + '\\n') * 900, end='')\" > wide.txt")
    wide = ReadTool().run(sandbox, {"path": "wide.txt"})
    assert "read on with offset=251" in wide.content
    assert cap_output(wide.content, ContextConfig().tool_output_chars) == wide.content
