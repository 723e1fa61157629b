"""Workspace snapshots: the binary diff against the base commit, and rebuilding from one.

The diff goes through a private index (``.git/fixer/index``, seeded from the base tree) so
the agent's own ``git add``/``commit`` never changes what a snapshot contains, ``.gitignore``
is honoured by ``git add -A``, and later snapshots reuse the index's stat cache instead of
re-hashing every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agents.errors import SandboxError, SnapshotMismatch, SnapshotTooLarge
from agents.sandbox import paths
from agents.sandbox.protocol import SandboxSnapshot
from agents.sandbox.workspace_archive import pack_files

if TYPE_CHECKING:
    from agents.sandbox.docker import DockerSandbox

DIFF_FLAGS = "--cached --binary --no-color --no-ext-diff --no-textconv"
SNAPSHOT_SCRIPT = f"""set -e
cd /workspace
export GIT_INDEX_FILE=.git/fixer/index
base=$(cat .git/fixer/base)
[ -f "$GIT_INDEX_FILE" ] || git read-tree "$base"
if [ "$all_binary" = 1 ]; then
  # Non-UTF-8 text: emit every file as a binary hunk so the patch is ASCII (still exact).
  mkdir -p .git/info; touch .git/info/attributes; cp .git/info/attributes .git/fixer/attributes
  trap 'mv .git/fixer/attributes .git/info/attributes' EXIT
  echo '* binary' >> .git/info/attributes
else
  git add -A
fi
tree=$(git write-tree)
git diff {DIFF_FLAGS} "$base" > .git/fixer/patch
size=$(stat -c %s .git/fixer/patch)
printf '%s %s\\n' "$tree" "$size"
if [ "$size" -le "$cap" ]; then cat .git/fixer/patch; fi
"""
CHECKOUT_BASE_SCRIPT = """set -e
cd /workspace
git -c advice.detachedHead=false checkout -q -f --detach "$base"
GIT_INDEX_FILE=.git/fixer/index git read-tree "$base"
printf '%s' "$base" > .git/fixer/base
"""
APPLY_SCRIPT = """set -e
cd /workspace
git apply --binary --whitespace=nowarn .git/fixer/restore.patch
rm -f .git/fixer/restore.patch
GIT_INDEX_FILE=.git/fixer/index git add -A
GIT_INDEX_FILE=.git/fixer/index git write-tree
"""


def take_snapshot(sandbox: DockerSandbox) -> SandboxSnapshot:
    """Diff /workspace against its base commit; raises ``SnapshotTooLarge`` over the cap."""
    cap = sandbox.config.snapshot_cap
    raw, tree = _diff(sandbox, cap, all_binary=False)
    try:
        patch = raw.decode("utf-8")
    except UnicodeDecodeError:
        raw, tree = _diff(sandbox, cap, all_binary=True)
        patch = raw.decode("ascii")
    return SandboxSnapshot(
        base_commit=sandbox.base_commit,
        patch=patch,
        sha256=hashlib.sha256(raw).hexdigest(),
        tree_hash=tree,
        files_changed=patch.count("\ndiff --git ") + patch.startswith("diff --git "),
    )


def _diff(sandbox: DockerSandbox, cap: int, *, all_binary: bool) -> tuple[bytes, str]:
    script = paths.script(SNAPSHOT_SCRIPT, cap=str(cap), all_binary="1" if all_binary else "0")
    outcome = sandbox.run_script(script, timeout=600, cap=None, split_stderr=True)
    data = bytes(outcome.output.head) + bytes(outcome.output.tail)
    if outcome.exit_code != 0:
        errors = outcome.output.errors.decode(errors="replace").strip()
        raise SandboxError(f"snapshot of run {sandbox.run_id} failed: {errors}")
    header, _, patch = data.partition(b"\n")
    tree, size = header.decode().split()
    if int(size) > cap:
        raise SnapshotTooLarge(
            f"the workspace diff of run {sandbox.run_id} is {int(size):,} bytes, over the "
            f"{cap:,} byte snapshot cap; generated or vendored files probably belong in "
            ".gitignore (or raise snapshot_cap)"
        )
    return patch, tree


def restore_snapshot(
    sandbox: DockerSandbox,
    base_dir: Path,
    snapshot: SandboxSnapshot,
    setup_commands: Sequence[str] = (),
) -> None:
    """A fresh container from ``base_dir`` with ``snapshot`` applied and its tree verified."""
    sandbox.stop()
    sandbox.ensure()
    base = sandbox.copy_in(base_dir)
    if base != snapshot.base_commit:
        _run(sandbox, paths.script(CHECKOUT_BASE_SCRIPT, base=snapshot.base_commit), "checkout")
    tree = _run(sandbox, "cd /workspace && GIT_INDEX_FILE=.git/fixer/index git write-tree", "")
    if snapshot.patch:
        archive = pack_files({"restore.patch": (snapshot.patch.encode(), 0o644)})
        if not sandbox.container.put_archive(f"{paths.WORKDIR}/.git/fixer", archive):
            raise SandboxError("could not copy the snapshot patch into the sandbox")
        tree = _run(sandbox, APPLY_SCRIPT, "applying the snapshot patch")
    if tree != snapshot.tree_hash:
        raise SnapshotMismatch(
            f"restored workspace of run {sandbox.run_id} has tree {tree}, but the snapshot "
            f"recorded {snapshot.tree_hash}; the base worktree differs from the one snapshotted"
        )
    sandbox.prepare(setup_commands)


def _run(sandbox: DockerSandbox, script: str, what: str) -> str:
    outcome = sandbox.run_script(script, timeout=600, cap=None, split_stderr=True)
    text = (bytes(outcome.output.head) + bytes(outcome.output.tail)).decode().strip()
    if outcome.exit_code != 0:
        errors = outcome.output.errors.decode(errors="replace").strip()
        raise SnapshotMismatch(f"restoring run {sandbox.run_id}: {what} failed: {errors}")
    return text.splitlines()[-1] if text else ""
