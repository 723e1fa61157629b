"""Putting a host worktree into /workspace and recording the commit it starts from."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import IO, TYPE_CHECKING

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.workspace_archive import pack_worktree

if TYPE_CHECKING:
    from agents.sandbox.docker import DockerSandbox

CLEAR_SCRIPT = "find /workspace -mindepth 1 -delete"
# What setup and test runs install or generate in the tree (npm ci's node_modules, pip
# install -e .'s egg-info, caches): never part of a run's patch, even when the repository's
# .gitignore forgets them. Patterns only hide untracked files; tracked ones still diff.
INSTALLED_PATTERNS = (
    "node_modules/",
    ".venv/",
    "__pycache__/",
    "*.py[cod]",
    "*.egg-info/",
    ".eggs/",
    ".pytest_cache/",
    ".tox/",
    ".nox/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".coverage",
    ".pnpm-store/",
    ".yarn/install-state.gz",
    ".gradle/",
    "target/",
)
# A tree without git gets a repository and a base commit, so snapshots work the same. A
# restore names its base: HEAD is detached there when the copied .git points elsewhere (the
# files are already the snapshot's; only HEAD and git's own index move). It also names the
# snapshot's tree, which seeds the snapshot index: the restored files count as the agent's,
# never as setup output.
RECORD_BASE_SCRIPT = f"""set -e
cd /workspace
if [ ! -d .git ]; then
  git init -q && git add -A && git commit -q --allow-empty -m "fixer: base"
fi
mkdir -p .git/fixer .git/info
printf '%s\\n' {" ".join(shlex.quote(p) for p in INSTALLED_PATTERNS)} >> .git/info/exclude
rm -f .git/fixer/index
if [ -n "$base" ] && [ "$(git rev-parse --verify HEAD^{{commit}})" != "$base" ]; then
  git update-ref --no-deref HEAD "$base" && git read-tree "$base"
fi
base=$(git rev-parse --verify HEAD^{{commit}})
GIT_INDEX_FILE=.git/fixer/index git read-tree "${{tree:-$base}}"
printf '%s' "$base" > .git/fixer/base
printf '%s' "$base"
"""


# Files setup itself creates (a generated Cargo.lock, build output) are the environment, not
# the fix: each is excluded by its exact path, so the agent's own new files still diff.
# "Untracked" is against the snapshot index, so after a restore the agent's files (already
# in that index) are never mistaken for setup output.
EXCLUDE_SETUP_OUTPUT_SCRIPT = r"""cd /workspace || exit 0
GIT_INDEX_FILE=.git/fixer/index git ls-files --others --exclude-standard \
  | sed -e 's/[][*?\\]/\\&/g' -e 's#^#/#' >> .git/info/exclude
"""


def exclude_setup_output(sandbox: DockerSandbox) -> None:
    """Keep what setup left untracked in /workspace out of the run's patch."""
    sandbox.run_script(EXCLUDE_SETUP_OUTPUT_SCRIPT, timeout=120, cap=4096)


def copy_worktree(
    sandbox: DockerSandbox,
    host_dir: Path,
    *,
    archive: IO[bytes] | None = None,
    base: str = "",
    tree: str = "",
) -> str:
    """Replace /workspace with ``host_dir`` (or ``archive`` made from it); the base commit.

    The base is HEAD, or ``base`` when given (HEAD is then moved there); the snapshot index
    starts from the base's tree, or from ``tree`` (its objects must be in the archive).
    """
    archive = archive or pack_worktree(host_dir)
    try:
        cleared = sandbox.run_script(CLEAR_SCRIPT, timeout=300, cap=4096)
        if cleared.exit_code != 0:
            raise SandboxError(f"could not empty /workspace: {cleared.output.render()[0]!r}")
        if not sandbox.container.put_archive(sandbox.workdir, archive):
            raise SandboxError(f"Docker refused to copy {host_dir} into /workspace")
    finally:
        archive.close()
    script = paths.script(RECORD_BASE_SCRIPT, base=base, tree=tree)
    outcome = sandbox.run_script(script, timeout=300, cap=65536)
    text = outcome.output.render()[0].decode(errors="replace").strip()
    if outcome.exit_code != 0 or not text:
        # Nothing printed with exit 0: the exec lost its container (removed under it).
        raise SandboxError(f"could not record the base commit of {host_dir}: {text or 'no output'}")
    return text.splitlines()[-1]
