"""Configured paths, resolved once against the directory Fixer was started in.

A relative path in a setting means "relative to where I ran ``fixer``" (that is also where
``.env`` is read from). Left relative, it would mean something else to every subprocess
that runs elsewhere: git, for one, runs inside the mirror, and a relative mirror path there
names a repository that does not exist. So settings hold absolute paths from load on.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

_IN_MEMORY = {"", ":memory:"}
_WILDCARD_OR_LOOPBACK = {"", "0.0.0.0", "::", "127.0.0.1", "::1", "localhost"}


def absolute_path(path: Path, start_dir: Path) -> Path:
    """``path`` with ``~`` expanded, made absolute against ``start_dir`` if relative."""
    expanded = path.expanduser()
    if not expanded.is_absolute():
        expanded = start_dir / expanded
    return Path(os.path.normpath(expanded))


def absolute_database_url(url: str, start_dir: Path) -> str:
    """A SQLite URL's relative file made absolute; any other URL unchanged.

    ``sqlite:///./fixer.db`` (three slashes: a relative file) becomes
    ``sqlite:////<start_dir>/fixer.db``; in-memory and ``file:`` URIs are left alone.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # not a URL SQLAlchemy knows; the database layer says so when it connects
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in _IN_MEMORY:
        return url
    if database.startswith("file:") or Path(database).is_absolute():
        return url
    resolved = absolute_path(Path(database), start_dir)
    return parsed.set(database=str(resolved)).render_as_string(hide_password=False)


def served_url(host: str, port: int) -> str:
    """The address of the service as served on ``host:port``, for links.

    Loopback and wildcard binds are reachable as ``localhost`` on this machine; anything
    else is the address given. Behind a proxy, FIXER_PUBLIC_URL says the real address.
    """
    name = "localhost" if host in _WILDCARD_OR_LOOPBACK else host
    if ":" in name:  # an IPv6 literal needs brackets in a URL
        name = f"[{name}]"
    return f"http://{name}:{port}"
