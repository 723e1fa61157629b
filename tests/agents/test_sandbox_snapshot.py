"""Snapshots capture the workspace exactly; restore rebuilds it to the same tree."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from agents.errors import SnapshotMismatch, SnapshotTooLarge
from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from tests.agents.conftest import git, make_repo

Factory = Callable[..., DockerSandbox]
CHANGES = """set -e
echo '    return a + b' >> src/app.py
rm src/pkg/data.json
mkdir -p new/dir && printf 'untracked\\n' > new/dir/file.txt
printf '\\x00\\x01\\x02binary' > new/blob.bin
chmod +x README.md
echo ignored > debug.log && mkdir -p build && echo out > build/artifact
printf 'caf\\xe9 latin-1\\n' > latin1.txt
ln -s src/app.py app-link
"""


def test_snapshot_captures_changes_untracked_and_binary_but_not_ignored(
    sandbox_factory: Factory,
) -> None:
    sandbox = sandbox_factory(label="snap")
    empty = sandbox.snapshot()
    assert empty.patch == "" and empty.files_changed == 0
    assert sandbox.exec(CHANGES).exit_code == 0
    snap = sandbox.snapshot()
    assert snap.base_commit == sandbox.base_commit
    assert snap.sha256 == hashlib.sha256(snap.patch.encode()).hexdigest()
    for path in ("src/app.py", "src/pkg/data.json", "new/dir/file.txt", "new/blob.bin"):
        assert f"diff --git a/{path} b/{path}" in snap.patch
    assert "GIT binary patch" in snap.patch and "deleted file mode" in snap.patch
    assert "old mode 100644\nnew mode 100755" in snap.patch
    assert "debug.log" not in snap.patch and "build/artifact" not in snap.patch
    assert snap.files_changed == 7


def test_agent_commits_do_not_change_what_is_diffed(sandbox_factory: Factory) -> None:
    sandbox = sandbox_factory(label="commit")
    sandbox.exec("echo more >> README.md && git add -A && git commit -qm agent")
    assert "diff --git a/README.md b/README.md" in sandbox.snapshot().patch


def test_killed_container_is_restored_to_an_identical_tree(
    sandbox_factory: Factory, repo: Path
) -> None:
    sandbox = sandbox_factory(label="restore")
    assert sandbox.exec(CHANGES).exit_code == 0
    snap = sandbox.snapshot()
    sandbox.container.kill()
    sandbox.restore(repo, snap)
    assert sandbox.snapshot().tree_hash == snap.tree_hash
    assert sandbox.exec("cat new/dir/file.txt; stat -c %a README.md").output == "untracked\n755\n"
    assert sandbox.exec("ls /sys/class/net").output.split() == ["lo"]


RESHAPE = """set -e
mv src/pkg/mod.py src/pkg/renamed.py
rm logo.bin && mkdir logo.bin && printf 'now a directory\\n' > logo.bin/inner.txt
printf '\\x00\\xff\\x00 new binary' > src/blob.dat && chmod 755 src/blob.dat
chmod -x run.sh && ln -s ../README.md src/readme-link && rm .gitignore
"""
# Every path outside .git with its type, mode and link target, and every file's content hash.
LISTING = (
    "find . -mindepth 1 -path ./.git -prune -o -printf '%p %y %m %l\\n' | LC_ALL=C sort; "
    "find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum"
)


def test_restored_workspace_is_byte_identical_with_renames_modes_links_and_binaries(
    sandbox_factory: Factory, repo: Path
) -> None:
    sandbox = sandbox_factory(label="exact")
    assert sandbox.exec(RESHAPE).exit_code == 0
    before = sandbox.exec(LISTING).output
    snap = sandbox.snapshot()
    sandbox.container.kill()
    sandbox.restore(repo, snap)
    assert sandbox.exec(LISTING).output == before
    assert "src/pkg/mod.py" not in before and "./logo.bin d 755" in before
    assert sandbox.snapshot().tree_hash == snap.tree_hash
    assert sandbox.exec("git rev-parse HEAD").output.strip() == snap.base_commit


def test_restore_onto_a_different_base_is_a_mismatch(
    sandbox_factory: Factory, repo: Path, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(label="mismatch")
    sandbox.exec("echo change >> README.md")
    snap = sandbox.snapshot()
    other = make_repo(tmp_path / "other")
    (other / "README.md").write_text("# another project\n")
    git(other, "commit", "-qam", "different")
    with pytest.raises(SnapshotMismatch):
        sandbox.restore(other, snap)


def test_snapshot_over_the_cap_raises_with_sizes(sandbox_factory: Factory) -> None:
    sandbox = sandbox_factory(DockerSandboxConfig(snapshot_cap=10_000), label="cap")
    sandbox.exec("seq 1 20000 > big.txt")
    with pytest.raises(SnapshotTooLarge, match=r"is [\d,]+ bytes, over the 10,000 byte"):
        sandbox.snapshot()
