"""Globs as POSIX extended regular expressions, with real ``**`` semantics."""

from __future__ import annotations

import re

from agents.sandbox import paths
from agents.tools.arguments import ToolInputError

WILDCARDS = set("*?[{")
_ERE_SPECIAL = set(".^$+(){}|\\")


def normalise(pattern: str) -> str:
    """``pattern`` relative to /workspace: no ``/workspace/``, ``./`` or leading ``/``."""
    pattern = pattern.strip()
    for prefix in (paths.WORKDIR + "/", "./"):
        if pattern.startswith(prefix):
            pattern = pattern[len(prefix) :]
    return pattern.lstrip("/")


def glob_to_regex(pattern: str) -> str:
    """A POSIX ERE matching absolute paths under /workspace, from a glob.

    ``*`` and ``?`` stop at ``/``; ``**`` as a whole segment spans any number of directories
    (zero included); ``[...]`` and ``{a,b}`` work as in shells.
    """
    pattern = normalise(pattern)
    if not pattern:
        raise ToolInputError("argument 'pattern' is empty; try '**/*.py'")
    out, i, depth = [], 0, 0
    while i < len(pattern):
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(.*/)?")
            i += 3
        elif pattern.startswith("**", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif pattern[i] == "{":
            out.append("(")
            depth += 1
            i += 1
        elif pattern[i] == "}" and depth:
            out.append(")")
            depth -= 1
            i += 1
        elif pattern[i] == "," and depth:
            out.append("|")
            i += 1
        else:
            out.append("\\" + pattern[i] if pattern[i] in _ERE_SPECIAL else pattern[i])
            i += 1
    if depth:
        raise ToolInputError(f"unbalanced '{{' in pattern {pattern!r}")
    return re.escape(paths.WORKDIR).replace("\\/", "/") + "/" + "".join(out)


def relative_regex(pattern: str) -> str:
    """The same ERE for paths relative to /workspace, anchored at both ends."""
    absolute = glob_to_regex(pattern)
    prefix = re.escape(paths.WORKDIR).replace("\\/", "/") + "/"
    return "^" + absolute[len(prefix) :] + "$"


def literal_base(pattern: str) -> str:
    """The leading whole segments of ``pattern`` without wildcards ("" when it starts with
    one): the directory (or file) every match lies in."""
    segments = normalise(pattern).rstrip("/").split("/")
    fixed = []
    for segment in segments:
        if WILDCARDS & set(segment):
            break
        fixed.append(segment)
    return "/".join(fixed)
