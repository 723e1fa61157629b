"""A snapshot's tree built on the host: its patch applied to the base commit, as one tar.

Restoring used to copy the base tree in and then ``git apply`` the patch inside the
container: every changed file written twice, its blob written once more, the whole tree
hashed again to check it. Here the host applies the patch to an index only (no worktree),
checks the resulting tree id against the snapshot before anything reaches Docker, and
``git archive`` turns exactly that tree into the workspace. So the restored files are the
snapshot's tree by construction (deletions, renames, modes, symlinks, binary files), the
container unpacks one archive, and a base that does not match fails before it is used.

Git runs in a scratch repository that borrows the base checkout's objects (alternates): the
patch's new blobs land there and are thrown away, the checkout is never written, and no
configuration of the host's user or system changes what is applied or archived.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from agents.errors import SnapshotMismatch
from agents.sandbox.protocol import SandboxSnapshot
from agents.sandbox.workspace_archive import pack_restored

# Attributes of the scratch repository, which win over the tree's own: nothing is left out
# of the archive. EOL and ident conversion stay, as in the checkout the run started from.
SCRATCH_ATTRIBUTES = "* -export-ignore -export-subst\n"
LOOSE_FAN = re.compile(r"[0-9a-f]{2}")


def build_restore_archive(base_dir: Path, snapshot: SandboxSnapshot) -> IO[bytes]:
    """The workspace as ``snapshot`` recorded it plus ``base_dir``'s ``.git``, as a tar."""
    with tempfile.TemporaryDirectory(prefix="fixer-restore-") as scratch:
        git = _Git(Path(scratch), base_dir)
        git(["read-tree", snapshot.base_commit], what=f"reading base {snapshot.base_commit}")
        if snapshot.patch:
            git(
                ["apply", "--cached", "--binary", "--whitespace=nowarn", "-"],
                stdin=snapshot.patch.encode(),
                what="applying the snapshot patch",
            )
        tree = git(["write-tree"], what="writing the restored tree").decode().strip()
        if tree != snapshot.tree_hash:
            raise SnapshotMismatch(
                f"the snapshot applied to {snapshot.base_commit} in {base_dir} gives tree "
                f"{tree}, but the snapshot recorded {snapshot.tree_hash}; the base "
                "worktree differs from the one snapshotted"
            )
        archive = Path(scratch) / "tree.tar"
        git(["archive", "--format=tar", f"--output={archive}", tree], what="archiving the tree")
        loose = _pack_loose_objects(git, base_dir, Path(scratch))
        with archive.open("rb") as tree_tar:
            return pack_restored(base_dir, tree_tar, loose_pack=loose)


def _pack_loose_objects(git: _Git, base_dir: Path, scratch: Path) -> list[Path]:
    """The checkout's loose objects and the snapshot's new ones as one pack (.pack, .idx).

    Docker unpacks an archive file by file, and a fresh clone or commit leaves thousands of
    loose objects: one pack of the same objects is the same repository in two files. The
    snapshot's blobs and trees go in too, so the container can read the snapshot's tree.
    """
    names = [
        f"{fan.name}{entry.name}"
        for objects in (base_dir / ".git" / "objects", scratch / "repo.git" / "objects")
        for fan in objects.iterdir()
        if LOOSE_FAN.fullmatch(fan.name)
        for entry in fan.iterdir()
    ]
    if not names:
        return []
    digest = git(
        ["pack-objects", "-q", "--window=0", str(scratch / "pack")],
        stdin="".join(f"{name}\n" for name in names).encode(),
        what="packing the loose objects",
    )
    stem = f"pack-{digest.decode().strip()}"
    return [scratch / f"{stem}.pack", scratch / f"{stem}.idx"]


class _Git:
    """git in the scratch repository; a failure is the snapshot not fitting its base."""

    def __init__(self, scratch: Path, base_dir: Path) -> None:
        repo = scratch / "repo.git"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(scratch),
            "GIT_DIR": str(repo),
            "GIT_INDEX_FILE": str(scratch / "index"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        self.base_dir = base_dir
        self(["init", "-q", "--bare"], what="creating a scratch repository")
        objects = (base_dir / ".git" / "objects").resolve()
        (repo / "objects" / "info" / "alternates").write_text(f"{objects}\n")
        (repo / "info").mkdir(exist_ok=True)
        (repo / "info" / "attributes").write_text(SCRATCH_ATTRIBUTES)

    def __call__(self, args: list[str], *, what: str, stdin: bytes | None = None) -> bytes:
        done = subprocess.run(
            ["git", "-c", "core.autocrlf=false", "-c", "tar.umask=0022", *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            error = done.stderr.decode(errors="replace").strip()
            raise SnapshotMismatch(f"restoring from {self.base_dir}: {what} failed: {error}")
        return done.stdout
