"""Workspace snapshots: the binary diff against the base commit, and rebuilding from one.

The diff goes through a private index (``.git/fixer/index``, seeded from the base tree) so
the agent's own ``git add``/``commit`` never changes what a snapshot contains, ``.gitignore``
is honoured by ``git add -A``, and later snapshots reuse the index's stat cache instead of
re-hashing every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from agents.errors import SandboxError, SnapshotMismatch, SnapshotTooLarge
from agents.sandbox import paths
from agents.sandbox.protocol import SandboxSnapshot
from agents.sandbox.snapshot_tree import build_restore_archive
from agents.sandbox.workspace_copy import copy_worktree

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


def _replace_container(sandbox: DockerSandbox) -> None:
    sandbox.stop()
    sandbox.ensure()


def restore_snapshot(
    sandbox: DockerSandbox,
    base_dir: Path,
    snapshot: SandboxSnapshot,
    setup_commands: Sequence[str] = (),
) -> None:
    """A fresh container holding exactly the snapshot's tree, then the setup commands.

    The tree is built and checked on the host (``agents.sandbox.snapshot_tree``) while
    Docker replaces the old container with a new one, and goes in as one archive; a
    snapshot that does not fit ``base_dir`` raises before anything is copied in (the new
    container is removed with the run's other resources).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        # A container just started for this restore is used as is; any other is replaced.
        replaced = None if sandbox.fresh else pool.submit(_replace_container, sandbox)
        try:
            archive = build_restore_archive(base_dir, snapshot)
        finally:
            if replaced is not None:
                replaced.result()
    try:
        base = copy_worktree(
            sandbox, base_dir, archive=archive, base=snapshot.base_commit, tree=snapshot.tree_hash
        )
    finally:
        archive.close()
    if base != snapshot.base_commit:
        raise SnapshotMismatch(
            f"restored workspace of run {sandbox.run_id} is based on {base}, but the snapshot "
            f"was taken on {snapshot.base_commit}"
        )
    sandbox.prepare(setup_commands)
