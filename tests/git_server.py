"""Moved to :mod:`devtools.git_http` (it ships with ``fixer demo``)."""

from devtools.git_http import GitHttpServer as GitHttpServer

__all__ = ["GitHttpServer"]
