"""``glob``: files under /workspace matching a pattern with real ``**`` semantics."""

from __future__ import annotations

import re
from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, text
from agents.tools.base import ToolResult

MAX_RESULTS = 200
# find matches the whole path with a POSIX ERE; symlinks are listed, never followed.
GLOB_SCRIPT = """out=$(mktemp)
find /workspace -regextype posix-extended -path /workspace/.git -prune -o \\
  \\( -type f -o -type l \\) -regex "$regex" -printf '%P\\n' 2>/dev/null | LC_ALL=C sort > "$out"
printf 'COUNT\\t%s\\n' "$(wc -l < "$out")"
head -n "$cap" "$out"
rm -f "$out"
"""
_ERE_SPECIAL = set(".^$+(){}|\\")


def glob_to_regex(pattern: str) -> str:
    """A POSIX ERE matching absolute paths under /workspace, from a glob.

    ``*`` and ``?`` stop at ``/``; ``**`` as a whole segment spans any number of directories
    (zero included); ``[...]`` and ``{a,b}`` work as in shells.
    """
    pattern = pattern.strip()
    for prefix in (paths.WORKDIR + "/", "./"):
        if pattern.startswith(prefix):
            pattern = pattern[len(prefix) :]
    pattern = pattern.lstrip("/")
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


class GlobTool:
    """Lists matching files, sorted, relative to /workspace; .git is never listed."""

    name = "glob"
    mutates = False

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "List files under /workspace whose path matches a glob. `*` and `?` do not "
                "cross `/`; `**` matches any number of directories, so `*.py` is top level "
                "only and `**/*.py` is everywhere. `{a,b}` and `[abc]` work. Results are "
                f"sorted, relative to /workspace, at most {MAX_RESULTS}."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Glob, e.g. 'src/**/*.ts'."},
                },
                "required": ["pattern"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            pattern = text(args, "pattern")
            script = paths.script(GLOB_SCRIPT, regex=glob_to_regex(pattern), cap=str(MAX_RESULTS))
            result = sandbox.exec(script, timeout=120)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        header, _, body = result.output.partition("\n")
        if result.exit_code != 0 or not header.startswith("COUNT\t"):
            return failure(f"glob failed: {result.output.strip()}")
        total = int(header.split("\t")[1])
        files = [line for line in body.split("\n") if line]
        if not files:
            return ToolResult(content=f"no files match {pattern}", meta={"matches": 0})
        content = "\n".join(files)
        if total > len(files):
            content += f"\n[{total - len(files)} more matches not shown; narrow the pattern]"
        return ToolResult(content=content, meta={"matches": total})
