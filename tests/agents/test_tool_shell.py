"""The shell tool against a real container."""

from __future__ import annotations

from agents.context import ContextConfig, cap_output
from agents.sandbox.docker import DockerSandbox
from agents.tools.shell import ShellTool


def test_shell_reports_output_and_exit_code(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "echo out; echo err >&2; exit 3"})
    assert "out" in result.content and "err" in result.content
    assert result.content.endswith("[exit code 3]")
    assert result.meta["exit_code"] == 3
    assert not result.is_error


def test_shell_runs_in_cwd_relative_to_workspace(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "pwd", "cwd": "src/pkg"})
    assert result.content.startswith("/workspace/src/pkg\n")


def test_shell_timeout_kills_whole_process_group_and_says_so(sandbox: DockerSandbox) -> None:
    command = "sleep 300 & (sleep 301 &) ; setsid sleep 302 & sleep 303"
    result = ShellTool().run(sandbox, {"command": command, "timeout": 1})
    assert result.is_error and result.meta["timed_out"]
    assert "timed out after 1s" in result.content and "exit code -1" in result.content
    left = sandbox.exec("ps -eo args | grep -c '^sleep 30[0-3]' || true").output.strip()
    assert left == "0"


def test_long_output_keeps_more_tail_than_head_and_names_the_file_holding_it_all(
    sandbox: DockerSandbox,
) -> None:
    result = ShellTool().run(sandbox, {"command": "seq 1 100000"})
    assert result.content.startswith("1\n2\n3\n")
    assert result.content.endswith("99999\n100000\n[exit code 0]")
    head, note, tail = result.content.split("\n[... ")[0], *result.content.split(" ...]\n")
    assert len(tail) > 2 * len(head)
    saved = result.meta["output_file"]
    assert saved.startswith("/tmp/") and saved in note
    assert sandbox.exec(f"wc -l < {saved}").output.strip() == "100000"
    # The note's own command prints exactly the lines that were cut.
    first_cut = int(head.rsplit("\n", 1)[-1]) + 1
    assert f"lines {first_cut:,}-" in note
    sed = note.split("`")[1]
    middle = sandbox.exec(sed).output.split("\n")
    assert middle[:-1] == [str(n) for n in range(first_cut, first_cut + 200)]
    assert result.meta["truncated_bytes"] > 500_000 and result.meta["output_bytes"] == 588_895


def test_long_output_is_cut_once_and_fits_the_loops_result_cap(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "seq 1 100000"})
    assert result.content.count("cut from the middle") == 1
    assert cap_output(result.content, ContextConfig().tool_output_chars) == result.content


def test_short_output_is_shown_whole_and_leaves_no_file(sandbox: DockerSandbox) -> None:
    before = sandbox.exec("ls /tmp/fixer-shell | wc -l").output
    result = ShellTool().run(sandbox, {"command": "echo a; echo b >&2; echo c"})
    assert result.content == "a\nb\nc\n[exit code 0]"
    assert "output_file" not in result.meta
    assert sandbox.exec("ls /tmp/fixer-shell | wc -l").output == before


def test_timed_out_command_still_shows_its_output(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "echo before-the-hang; sleep 30", "timeout": 1})
    assert result.meta["timed_out"] and "before-the-hang" in result.content
    stubborn = "trap '' TERM; echo still-shown; sleep 404"
    result = ShellTool().run(sandbox, {"command": stubborn, "timeout": 1})
    assert result.meta["timed_out"] and "still-shown" in result.content


def test_cd_and_export_do_not_carry_over_and_the_description_says_so(
    sandbox: DockerSandbox,
) -> None:
    tool = ShellTool()
    tool.run(sandbox, {"command": "cd src && export FIXER_T=1"})
    assert tool.run(sandbox, {"command": "pwd; echo x${FIXER_T}x"}).content.startswith(
        "/workspace\nxx\n"
    )
    assert "`cd`, `export` and shell variables do not carry over" in tool.schema()["description"]


def test_background_process_holding_stdout_does_not_hang(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "sleep 20 & echo started", "timeout": 10})
    assert result.meta["duration_ms"] < 5_000
    assert "started" in result.content
    sandbox.exec("pkill -f 'sleep 20' || true")


def test_shell_rejects_bad_input_with_a_message(sandbox: DockerSandbox) -> None:
    tool = ShellTool()
    assert "missing required argument 'command'" in tool.run(sandbox, {}).content
    assert tool.run(sandbox, {"command": "  "}).is_error
    bad_timeout = tool.run(sandbox, {"command": "true", "timeout": "soon"})
    assert bad_timeout.is_error and "must be a number" in bad_timeout.content


def test_shell_schema_is_anthropic_shaped() -> None:
    schema = ShellTool().schema()
    assert set(schema) == {"name", "description", "input_schema"}
    assert schema["input_schema"]["required"] == ["command"]


def test_shell_reports_the_workspace_tree_the_snapshot_would_record(
    sandbox: DockerSandbox,
) -> None:
    # The tree id after a command is the one a snapshot takes then: equal when the command
    # changed nothing (so no snapshot is needed), new when it changed a file.
    before = sandbox.snapshot().tree_hash
    unchanged = ShellTool().run(sandbox, {"command": "ls >/dev/null; git status --short"})
    assert unchanged.meta["workspace_tree"] == before
    changed = ShellTool().run(sandbox, {"command": "echo more >> README.md"})
    after = sandbox.snapshot().tree_hash
    assert changed.meta["workspace_tree"] == after != before
    # Output the model sees stays the command's own: no tree id, no marker.
    assert before not in unchanged.content and "FIXER-OUT" not in unchanged.content
    cut = ShellTool(shown_bytes=2000).run(sandbox, {"command": "seq 1 100000"})
    assert cut.meta["workspace_tree"] == after and "FIXER-OUT" not in cut.content


def test_shell_timed_out_reports_no_tree_so_the_snapshot_is_taken(sandbox: DockerSandbox) -> None:
    result = ShellTool().run(sandbox, {"command": "echo x > new.txt; sleep 30", "timeout": 1})
    assert result.meta["timed_out"] and "workspace_tree" not in result.meta
