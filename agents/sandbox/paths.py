"""Paths the model names, resolved inside the container and confined to the workspace.

Resolution runs in the container (``realpath -m``) because only there do symlinks mean what
they will mean to the tools: a link in /workspace to ``/etc/passwd`` or ``..`` resolves to its
real target, which then fails the prefix check. The host never interprets a workspace path.
"""

from __future__ import annotations

import posixpath
import shlex

WORKDIR = "/workspace"

# Defines `resolve VAR PATH`: sets VAR to the real absolute path, or prints an error naming
# the path and exits 3 when it lies outside the workspace.
RESOLVE_FUNCTION = f"""
resolve() {{
  _r=$(realpath -m -- "$2") || {{ echo "fixer: cannot resolve path: $2" >&2; exit 3; }}
  case "$_r" in
    {WORKDIR}|{WORKDIR}/*) eval "$1=\\$_r" ;;
    *) echo "fixer: $2 resolves to $_r, outside {WORKDIR}; only files under {WORKDIR} \
can be used" >&2; exit 3 ;;
  esac
}}
"""
OUTSIDE_EXIT = 3


def absolute(path: str) -> str:
    """``path`` made absolute against the workspace, lexically (symlinks untouched)."""
    path = path.strip() or "."
    return posixpath.normpath(posixpath.join(WORKDIR, path))


def relative(path: str) -> str:
    """A resolved absolute path shown to the model relative to the workspace."""
    if path == WORKDIR:
        return "."
    prefix = WORKDIR + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def script(body: str, **values: str) -> str:
    """A bash script: the resolver plus ``body``, with ``values`` assigned as quoted vars."""
    assigns = "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items())
    return RESOLVE_FUNCTION + assigns + body
