"""The read tool: numbered lines, ranges, caps, binary refusal, confinement."""

from __future__ import annotations

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


def test_read_caps_size_with_a_note(sandbox: DockerSandbox) -> None:
    sandbox.exec("python3 -c \"print(('x' * 99 + '\\n') * 5000, end='')\" > big.txt")
    result = ReadTool().run(sandbox, {"path": "big.txt"})
    assert not result.is_error
    assert "read on with offset=" in result.content
    assert len(result.content) < 25_000


def test_read_refuses_binary_with_size_and_type(sandbox: DockerSandbox) -> None:
    result = ReadTool().run(sandbox, {"path": "logo.bin"})
    assert result.is_error
    assert "binary file (1,024 bytes" in result.content
    assert "charset=binary" in result.content


def test_read_missing_file_and_directory_are_errors(sandbox: DockerSandbox) -> None:
    assert "does not exist" in ReadTool().run(sandbox, {"path": "nope.txt"}).content
    assert "is a directory" in ReadTool().run(sandbox, {"path": "src"}).content


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
