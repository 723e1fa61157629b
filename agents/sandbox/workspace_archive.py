"""The host worktree packed as a tar stream for ``put_archive``, without credentials.

Entries are owned by the sandbox user (uid/gid 1000) so the agent can change every file,
and git files that may carry a clone URL have ``user:password@`` removed from it: the host
clones with an installation token, and that token must never reach the sandbox.
"""

from __future__ import annotations

import io
import re
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from agents.errors import SandboxError

SANDBOX_UID = 1000
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
# A whole line that hands a credential to git (actions/checkout's extraheader, helpers).
_SECRET_LINE = re.compile(r"^\s*(extraheader|helper)\s*=.*$", re.IGNORECASE | re.MULTILINE)
_GIT_TEXT_FILES = ("config", "FETCH_HEAD", "ORIG_HEAD")
_LOOSE = re.compile(r"\.git/objects/[0-9a-f]{2}(/|$)")


def strip_credentials(text: str) -> str:
    """``text`` with the userinfo of every URL and every credential line removed."""
    return _SECRET_LINE.sub("", _USERINFO.sub(r"\g<scheme>", text))


def _owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = SANDBOX_UID
    info.uname = info.gname = "fixer"
    return info


def _needs_scrub(relative: str) -> bool:
    return relative in {f".git/{name}" for name in _GIT_TEXT_FILES} or relative.startswith(
        ".git/logs/"
    )


def check_standalone(host_dir: Path) -> None:
    """Refuse trees whose objects live elsewhere on the host (they would be missing inside)."""
    git = host_dir / ".git"
    if git.is_file():
        raise SandboxError(
            f"{host_dir} is a linked git worktree (.git is a file); copy_in needs a standalone "
            "clone: `git clone --no-hardlinks` it first"
        )
    if (git / "objects" / "info" / "alternates").exists():
        raise SandboxError(
            f"{host_dir} borrows objects through .git/objects/info/alternates; clone it with "
            "`--dissociate` so the sandbox gets every object"
        )


def pack_worktree(host_dir: Path) -> IO[bytes]:
    """A spooled tar of ``host_dir`` (rewound), entries relative to the workspace root."""
    if not host_dir.is_dir():
        raise SandboxError(f"cannot copy {host_dir} into the sandbox: not a directory")
    check_standalone(host_dir)
    spool = _spool()
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(host_dir.rglob("*")):
            _add(tar, path, path.relative_to(host_dir).as_posix())
    spool.seek(0)
    return spool


def pack_restored(
    host_dir: Path, tree_tar: IO[bytes], *, loose_pack: Sequence[Path] = ()
) -> IO[bytes]:
    """The files of ``tree_tar`` (``git archive`` of a tree) plus ``host_dir``'s ``.git``.

    With ``loose_pack`` (a .pack and its .idx holding every loose object), the loose object
    files are left out and the pack goes in ``.git/objects/pack`` instead.
    """
    check_standalone(host_dir)
    spool = _spool()
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
        with tarfile.open(fileobj=tree_tar, mode="r|") as tree:
            for member in tree:
                if member.type not in (tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE):
                    continue  # git archive's global header (the commit id) is not a file
                tar.addfile(_owned(member), tree.extractfile(member) if member.isreg() else None)
        git = host_dir / ".git"
        for path in [git, *sorted(git.rglob("*"))]:
            relative = path.relative_to(host_dir).as_posix()
            if not (loose_pack and _LOOSE.match(relative)):
                _add(tar, path, relative)
        for path in loose_pack:
            info = _owned(tar.gettarinfo(str(path), arcname=f".git/objects/pack/{path.name}"))
            info.mode = 0o444
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    spool.seek(0)
    return spool


def _spool() -> IO[bytes]:
    # Returned open for the caller to stream and close, hence no context manager here.
    return tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)


def _add(tar: tarfile.TarFile, path: Path, relative: str) -> None:
    """One host path into ``tar``, owned by the sandbox user, credentials scrubbed."""
    info = _owned(tar.gettarinfo(str(path), arcname=relative))
    if info.isfile() and _needs_scrub(relative):
        data = strip_credentials(path.read_text(errors="surrogateescape")).encode(
            errors="surrogateescape"
        )
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    elif info.isfile():
        with path.open("rb") as handle:
            tar.addfile(info, handle)
    else:
        tar.addfile(info)


def pack_files(files: dict[str, tuple[bytes, int]]) -> bytes:
    """A tar of ``{name: (data, mode)}`` owned by the sandbox user."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, (data, mode) in files.items():
            info = _owned(tarfile.TarInfo(name))
            info.size = len(data)
            info.mode = mode
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
