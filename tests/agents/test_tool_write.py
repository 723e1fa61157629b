"""The write tool: files land in the container, parents created, confinement held."""

from __future__ import annotations

from agents.sandbox.docker import DockerSandbox
from agents.tools.write import WriteTool


def test_write_creates_parents_owned_by_sandbox_user(sandbox: DockerSandbox) -> None:
    result = WriteTool().run(sandbox, {"path": "new/deep/dir/f.txt", "content": "a\nb\n"})
    assert not result.is_error and "wrote 4 bytes (2 lines)" in result.content
    check = sandbox.exec("stat -c '%U %a' new/deep/dir/f.txt new/deep; cat new/deep/dir/f.txt")
    assert check.output == "fixer 644\nfixer 755\na\nb\n"


def test_write_replaces_content_and_keeps_mode(sandbox: DockerSandbox) -> None:
    WriteTool().run(sandbox, {"path": "run.sh", "content": "#!/bin/sh\necho new\n"})
    assert sandbox.exec("./run.sh").output == "new\n"


def test_write_refuses_paths_outside_workspace(sandbox: DockerSandbox) -> None:
    sandbox.exec("ln -sfn /tmp tmp-link && ln -sf /etc/hostname host-link")
    for path in ("tmp-link/escape.txt", "host-link", "../escape.txt", "/tmp/escape.txt"):
        result = WriteTool().run(sandbox, {"path": path, "content": "x"})
        assert result.is_error and "outside /workspace" in result.content, path
    assert sandbox.exec("ls /tmp/escape.txt").exit_code != 0


def test_write_onto_a_directory_is_an_error(sandbox: DockerSandbox) -> None:
    result = WriteTool().run(sandbox, {"path": "src", "content": "x"})
    assert result.is_error and "is a directory" in result.content


def test_write_requires_content(sandbox: DockerSandbox) -> None:
    result = WriteTool().run(sandbox, {"path": "x.txt"})
    assert result.is_error and "'content'" in result.content


def test_write_says_created_or_overwrote(sandbox: DockerSandbox) -> None:
    first = WriteTool().run(sandbox, {"path": "wrote/once.txt", "content": "a\n"})
    again = WriteTool().run(sandbox, {"path": "wrote/once.txt", "content": "b\n"})
    assert first.content.startswith("created wrote/once.txt") and first.meta["created"]
    assert again.content.startswith("overwrote wrote/once.txt") and not again.meta["created"]


def test_write_warns_when_the_content_does_not_parse(sandbox: DockerSandbox) -> None:
    result = WriteTool().run(sandbox, {"path": "wrote/bad.json", "content": '{"a": 1,}\n'})
    assert not result.is_error and "Warning: the file was written but does not parse" in (
        result.content
    )
    assert "JSON parse error at line 1" in result.content
    assert sandbox.read_file("wrote/bad.json") == b'{"a": 1,}\n'
    fine = WriteTool().run(sandbox, {"path": "wrote/good.py", "content": "x = 1\n"})
    assert "Warning" not in fine.content
