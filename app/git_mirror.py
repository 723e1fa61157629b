"""A bare mirror cache per repository, and plain checkouts from it for the sandbox.

Layout: ``<cache>/<owner>/<repo>.git``. The mirror has no remote configured: every fetch names
the URL and carries the token for that call only, so nothing on disk knows a credential.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from app.git_host import GitHostError, GitRunner, RepositoryUnreachable

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_ACCESS_HINT = "check that the App is installed there and the token is fresh"


def repository_name(clone_url: str) -> tuple[str, str]:
    """``(owner, repo)`` from ``https://host/owner/repo(.git)``; refuses credentials in it."""
    parts = urlsplit(clone_url)
    if parts.username or parts.password:
        raise GitHostError(
            "clone URL carries credentials: pass the bare URL and the token separately"
        )
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        raise GitHostError(f"{clone_url} is not a repository URL (expected .../owner/repo.git)")
    owner, repo = segments[-2], segments[-1].removesuffix(".git")
    for name in (owner, repo):
        if not _NAME.match(name) or name in {".", ".."}:
            raise GitHostError(f"{clone_url}: {name!r} is not a valid owner or repository name")
    return owner, repo


class RepoMirror:
    """Bare mirrors of the repositories the service works on, kept under one cache directory."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def path(self, clone_url: str) -> Path:
        owner, repo = repository_name(clone_url)
        return self.cache_dir / owner / f"{repo}.git"

    @contextmanager
    def locked(self, clone_url: str) -> Iterator[Path]:
        """The mirror's path, held exclusively: two runs on one repo must not fetch at once."""
        path = self.path(clone_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield path
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def fetch(self, clone_url: str, token: str, ref: str | None = None) -> str:
        """Bring the mirror up to date; the commit sha of ``ref`` (default: the default branch)."""
        with self.locked(clone_url) as path:
            if not (path / "HEAD").exists():
                path.mkdir(parents=True, exist_ok=True)
                GitRunner(path).run("init", "--quiet", "--bare")
            git = GitRunner(path, token)
            if ref is None:
                ref = self._default_branch(git, clone_url)
            git.run(
                "fetch",
                "--quiet",
                "--prune",
                "--no-write-fetch-head",
                clone_url,
                *_REFSPECS,
                error=RepositoryUnreachable,
                what=f"fetching {clone_url} ({_ACCESS_HINT})",
            )
            return self._resolve(git, clone_url, ref)

    def _default_branch(self, git: GitRunner, clone_url: str) -> str:
        listing = git.run(
            "ls-remote",
            "--symref",
            clone_url,
            "HEAD",
            error=RepositoryUnreachable,
            what=f"reading {clone_url} ({_ACCESS_HINT})",
        )
        for line in listing.splitlines():
            if line.startswith("ref: ") and line.endswith("\tHEAD"):
                branch = line.removeprefix("ref: ").removesuffix("\tHEAD")
                # Keep the mirror's HEAD honest so `git log` in it shows the default branch.
                git.run("symbolic-ref", "HEAD", branch)
                return branch.removeprefix("refs/heads/")
        raise RepositoryUnreachable(
            f"{clone_url} has no default branch (empty repository?): push a first commit"
        )

    def _resolve(self, git: GitRunner, clone_url: str, ref: str) -> str:
        for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
            try:
                return git.run("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
            except GitHostError:
                continue
        raise RepositoryUnreachable(f"{clone_url} has no branch, tag or commit {ref!r}")

    def worktree(self, clone_url: str, base_commit: str, dest: Path) -> Path:
        """A plain, self-contained checkout of ``base_commit`` in ``dest`` with no remote.

        Built beside ``dest`` and renamed into place once complete: a process killed halfway
        leaves a scratch directory, never a ``dest`` that still borrows the mirror's objects
        (callers take an existing ``dest`` as done).
        """
        scratch = dest.with_name(f"{dest.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        with self.locked(clone_url) as path:
            if not (path / "HEAD").exists():
                raise GitHostError(f"no mirror of {clone_url} yet: call RepoMirror.fetch first")
            GitRunner(self.cache_dir).run(
                "clone",
                "--quiet",
                "--shared",
                "--no-checkout",
                str(path),
                str(scratch),
                what=f"cloning the mirror of {clone_url} into {scratch}",
            )
        git = GitRunner(scratch)
        try:
            git.run(
                "checkout",
                "--quiet",
                "--detach",
                base_commit,
                what=f"checking out {base_commit} of {clone_url} (fetch it into the mirror first)",
            )
            git.run("remote", "remove", "origin")
            # --shared borrowed the mirror's objects; copy them in and drop the link so the
            # checkout still works once copied into the sandbox, where the mirror is absent.
            git.run("repack", "-a", "-d", "--quiet")
            (scratch / ".git" / "objects" / "info" / "alternates").unlink()
        except GitHostError:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        try:
            scratch.rename(dest)
        except OSError:
            # Another process finished the same checkout first (or a half-made one from an
            # older version is in the way): keep a complete one.
            if (
                not (dest / ".git" / "objects" / "info" / "alternates").exists()
                and (dest / ".git").exists()
            ):
                shutil.rmtree(scratch, ignore_errors=True)
                return dest
            shutil.rmtree(dest, ignore_errors=True)
            scratch.rename(dest)
        return dest
