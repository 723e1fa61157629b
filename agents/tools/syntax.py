"""Does a file's text still parse? Python, JSON and TOML, checked host-side on the text.

Parsing never executes anything: ``ast.parse`` builds a tree, ``json`` and ``tomllib`` read
data. Files of other types, and dialects that only look like these (``tsconfig.json`` takes
comments), are not checked.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

PYTHON = "Python {}.{}".format(*sys.version_info[:2])
# JSON with comments and trailing commas under a .json name: editors and tsc accept them.
JSONC_NAMES = re.compile(
    r"(^|/)(tsconfig[^/]*|jsconfig[^/]*|devcontainer|\.eslintrc|\.babelrc|\.swcrc|"
    r"api-extractor|typedoc|launch|settings|tasks|extensions|keybindings)\.json$"
)
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class ParseProblem:
    """Why a text does not parse as its file type."""

    kind: str
    """"Python", "JSON" or "TOML"."""
    line: int
    """1-based line of the error (0 when the parser gave none)."""
    message: str

    def describe(self, text: str) -> str:
        """The error plus the offending line, numbered like ``read`` output."""
        where = f" at line {self.line}" if self.line else ""
        out = f"{self.kind} parse error{where}: {self.message}"
        rows = text.split("\n")
        if 0 < self.line <= len(rows):
            out += f"\n{self.line:6d}\t{rows[self.line - 1].rstrip(chr(13))}"
        return out


def kind_of(path: str) -> str | None:
    """The language a path is checked as, or None."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".py", ".pyi"):
        return "Python"
    if suffix == ".json" and not JSONC_NAMES.search(path):
        return "JSON"
    if suffix == ".toml":
        return "TOML"
    return None


def problem(path: str, text: str) -> ParseProblem | None:
    """Why ``text`` does not parse as ``path``'s type; None when it parses or is unchecked."""
    kind = kind_of(path)
    try:
        if kind == "Python":
            ast.parse(text, filename=path)
        elif kind == "JSON":
            json.loads(text)
        elif kind == "TOML":
            tomllib.loads(text)
    except SyntaxError as exc:  # IndentationError and TabError included
        return ParseProblem("Python", exc.lineno or 0, exc.msg)
    except json.JSONDecodeError as exc:
        return ParseProblem("JSON", exc.lineno, exc.msg)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        message = _TOML_AT.sub("", str(exc)).strip()
        return ParseProblem("TOML", int(found.group(1)) if found else 0, message)
    except (RecursionError, MemoryError, ValueError):
        return None  # too deep or odd to judge (e.g. a NUL byte): no verdict, no refusal
    return None


def broken_by(path: str, before: str | None, after: str) -> ParseProblem | None:
    """The problem ``after`` has, when ``before`` parsed (or there was no file before)."""
    found = problem(path, after)
    if found is None:
        return None
    if before is not None and problem(path, before) is not None:
        return None  # it did not parse before either: not this change's doing
    return found


def newer_python_hint(found: ParseProblem) -> str:
    """What to do when the check itself may be what is wrong."""
    if found.kind != "Python":
        return ""
    return (
        f" (checked with {PYTHON}'s parser; for syntax of a newer Python, use write, "
        "which only warns)"
    )
