"""Sandbox benchmark: container start, tool overhead, grep, snapshot and restore.

Run: ``.venv/bin/python bench/sandbox.py``. Ratios are against baselines measured in the
same run (a bare ``docker run`` of the same image, through the same SDK client: create and
start, nothing else; raw SDK ``exec_run``; ripgrep on the host over the same tree). Where
grep's time goes is split out: an empty exec, the same rg run bare in the container, the
tool. Restore is set beside its floor (``bare_restore_ms``): a fresh container of the image
with the same tree's files put into its workspace volume and nothing else; the base tree is
packed, as Fixer's own base checkouts are. The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker

from agents.sandbox.docker import DockerSandbox
from agents.sandbox.exec_stream import run_exec
from agents.sandbox.run_resources import remove_run
from agents.sandbox.workspace_archive import pack_worktree
from agents.tools.grep import GrepTool
from agents.tools.shell import ShellTool

ROUNDS = 100
GREP_ROUNDS = 7
START_ROUNDS = 5
TREE_FILES = 2000
FILE_LINES = 1500
REGEX = r"function_\d+_1499\(value\)"
RG_FLAGS = [
    "--line-number", "--no-heading", "--with-filename", "--color=never", "--hidden",
    "--glob", "!.git", "--max-columns", "300", "--max-columns-preview",
]  # fmt: skip
# The tool's default mode: per-file counts (its lines mode is RG_FLAGS on the files it shows).
RG_COUNT_FLAGS = ["--count", "--with-filename", "--color=never", "--hidden", "--glob", "!.git"]


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def make_tree(root: Path, files: int = TREE_FILES, lines: int = FILE_LINES) -> None:
    """A git repo of ``files`` source-like files of ``lines`` lines each."""
    for index in range(files):
        sub = root / f"pkg{index % 40}"
        sub.mkdir(parents=True, exist_ok=True)
        text = [f"def function_{index}_{n}(value):  # compute the thing" for n in range(lines)]
        if index % 100 == 0:
            text.append("NEEDLE_MARKER = True")
        (sub / f"mod{index}.py").write_text("\n".join(text) + "\n")
    # Packed, as Fixer's own base checkouts are (app.git_mirror repacks each one).
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "tree"], ["repack", "-adq"]):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=root, check=True
        )


def container_starts(client: docker.DockerClient, image: str) -> tuple[float, float]:
    """Median ms of a sandbox start (``ensure()``) and of a bare ``docker run``, alternated."""
    ours, bare = [], []
    for _ in range(START_ROUNDS):
        run_id = f"bench-start-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        DockerSandbox(run_id, client=client).ensure()
        ours.append((time.perf_counter() - started) * 1000)
        remove_run(client, run_id)
        started = time.perf_counter()
        plain = client.containers.run(image, ["sleep", "infinity"], entrypoint=[], detach=True)
        bare.append((time.perf_counter() - started) * 1000)
        plain.remove(force=True)
    return statistics.median(ours), statistics.median(bare)


def main() -> None:
    client = docker.from_env()
    workdir = Path(tempfile.mkdtemp(prefix="fixer-bench-"))
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        make_tree(workdir / "tree")
        sandbox = DockerSandbox(run_id, client=client)
        container_start_ms, bare_run_ms = container_starts(client, sandbox.config.image)
        sandbox.ensure()
        sandbox.copy_in(workdir / "tree")

        shell = ShellTool()
        for _ in range(5):
            sandbox.container.exec_run("true")
            shell.run(sandbox, {"command": "true"})
        # Alternating pairs, so load from anything else on the machine hits both alike.
        raw_ms, tool_ms = [], []
        for _ in range(ROUNDS):
            raw_ms.append(median_ms(lambda: sandbox.container.exec_run("true"), 1))
            tool_ms.append(median_ms(lambda: shell.run(sandbox, {"command": "true"}), 1))

        # The same ripgrep flags the tool uses, and a regex (not a bare literal) as agents
        # write them; the literal search is reported too, where the fixed exec cost dominates.
        # "regex" and "literal" run the tool's lines mode against plain rg; "files" runs its
        # default files-with-counts mode against rg --count.
        grep = GrepTool()
        grep_ms: dict[str, tuple[float, float]] = {}
        for kind, pattern, mode, flags in (
            ("regex", REGEX, "lines", RG_FLAGS),
            ("literal", "NEEDLE_MARKER", "lines", RG_FLAGS),
            ("files", REGEX, "files_with_counts", RG_COUNT_FLAGS),
        ):
            host_rg = ["rg", *flags, "--regexp", pattern]

            def run_host(argv: list[str] = host_rg) -> object:
                return subprocess.run(argv, cwd=workdir / "tree", capture_output=True, check=False)

            def run_tool(regex: str = pattern, output_mode: str = mode) -> object:
                return grep.run(sandbox, {"pattern": regex, "output_mode": output_mode})

            run_host(), run_tool()
            grep_ms[kind] = (median_ms(run_host, GREP_ROUNDS), median_ms(run_tool, GREP_ROUNDS))

        def run_bare_rg() -> object:
            argv = ["rg", *RG_FLAGS, "--regexp", REGEX]
            return run_exec(
                client.api, sandbox.container.id, argv, user=sandbox.config.user,
                workdir=sandbox.workdir, deadline_s=120, cap=None,
            )  # fmt: skip

        container_rg_ms = median_ms(run_bare_rg, GREP_ROUNDS)
        sandbox.stop()

        make_tree(workdir / "small", files=2000, lines=40)
        sandbox = DockerSandbox(run_id, client=client)
        sandbox.ensure()
        sandbox.copy_in(workdir / "small")
        sandbox.exec("for i in $(seq 0 999); do echo changed >> pkg$((i % 40))/mod$i.py; done")
        started = time.perf_counter()
        snapshot = sandbox.snapshot()
        snapshot_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        sandbox.restore(workdir / "small", snapshot)
        restore_ms = (time.perf_counter() - started) * 1000
        # The floor under any restore of this tree: a fresh container of the image and the
        # tree's files written into its workspace volume by Docker, nothing else.
        floor_id = f"bench-floor-{uuid.uuid4().hex[:8]}"
        floor = DockerSandbox(floor_id, client=client)
        try:
            tree_tar = pack_worktree(workdir / "small")
            started = time.perf_counter()
            floor.ensure()
            floor.container.put_archive(floor.workdir, tree_tar)
            bare_restore_ms = (time.perf_counter() - started) * 1000
            tree_tar.close()
        finally:
            remove_run(client, floor_id)

        result = {
            "container_start_ms": round(container_start_ms, 1),
            "bare_docker_run_ms": round(bare_run_ms, 1),
            "container_start_ratio": round(container_start_ms / bare_run_ms, 3),
            "raw_exec_ms": round(statistics.median(raw_ms), 2),
            "shell_tool_ms": round(statistics.median(tool_ms), 2),
            "tool_overhead_ratio": round(statistics.median(tool_ms) / statistics.median(raw_ms), 3),
            "host_rg_ms": round(grep_ms["regex"][0], 1),
            "grep_tool_ms": round(grep_ms["regex"][1], 1),
            "grep_ratio": round(grep_ms["regex"][1] / grep_ms["regex"][0], 3),
            # The same rg, bare in the container (one exec, no script): the tool's own
            # share is grep_tool_ms minus this; this minus host_rg_ms is the container's.
            "container_rg_ms": round(container_rg_ms, 1),
            "grep_literal_ratio": round(grep_ms["literal"][1] / grep_ms["literal"][0], 3),
            "host_rg_count_ms": round(grep_ms["files"][0], 1),
            "grep_files_tool_ms": round(grep_ms["files"][1], 1),
            "grep_files_ratio": round(grep_ms["files"][1] / grep_ms["files"][0], 3),
            "grep_tree": {"files": TREE_FILES, "bytes": TREE_FILES * FILE_LINES * 53},
            "snapshot_files_changed": snapshot.files_changed,
            "snapshot_ms": round(snapshot_ms, 1),
            "restore_ms": round(restore_ms, 1),
            "bare_restore_ms": round(bare_restore_ms, 1),
            "restore_ratio": round(restore_ms / bare_restore_ms, 3),
        }
        print(json.dumps(result))
    finally:
        remove_run(client, run_id)
        shutil.rmtree(workdir, ignore_errors=True)
        client.close()


if __name__ == "__main__":
    main()
