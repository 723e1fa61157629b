"""``glob``: files under /workspace matching a pattern, newest first, as git sees the tree.

Files come from ``git ls-files`` (tracked plus untracked, minus what .gitignore and
.git/info/exclude ignore), so a venv, node_modules or a build directory never floods the
list. A pattern whose fixed part names an ignored path (``node_modules/pkg/**``) lists that
path in full: the model asked for it by name.
"""

from __future__ import annotations

import re
from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, text
from agents.tools.base import ToolResult
from agents.tools.glob_pattern import glob_to_regex, literal_base, normalise, relative_regex

__all__ = ["MAX_RESULTS", "GlobTool", "glob_to_regex"]

MAX_RESULTS = 200
IGNORED_SHOWN = 5
# Without git (a custom image, a broken .git): at least skip what installs and caches make.
PLAIN_PRUNE = " -o ".join(
    f"-name {name}"
    for name in (".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
                 ".pytest_cache", ".ruff_cache", ".tox", ".nox")
)  # fmt: skip
# Matches sorted newest first (mtime, then path); symlinks are listed, never followed.
GLOB_SCRIPT = f"""cd /workspace || exit 4
out=$(mktemp); tab=$(printf '\\t')
if [ -n "$base" ] && git check-ignore -q -- "$base" 2>/dev/null; then mode=named
elif git rev-parse --git-dir >/dev/null 2>&1; then mode=git; else mode=plain; fi
case $mode in
  git) git --literal-pathspecs -c core.quotepath=off ls-files -z --cached --others \\
         --exclude-standard -- ${{base:+"$base"}} | tr '\\0' '\\n' ;;
  named) find "$base" \\( -type f -o -type l \\) -print 2>/dev/null ;;
  plain) find . \\( {PLAIN_PRUNE} \\) -prune -o \\( -type f -o -type l \\) -printf '%P\\n' ;;
esac | grep -E -- "$regex" | LC_ALL=C sort -u \\
  | xargs -r -d '\\n' stat --printf '%.9Y\\t%n\\n' -- 2>/dev/null \\
  | LC_ALL=C sort -t "$tab" -k1,1nr -k2,2 > "$out"
printf 'COUNT\\t%s\\t%s\\n' "$(wc -l < "$out")" "$mode"
head -n "$cap" "$out" | cut -f2-
rm -f "$out"
if [ "$mode" = git ]; then
  printf '\\001IGNORED\\n'
  git --literal-pathspecs -c core.quotepath=off ls-files -z --others --ignored \\
    --exclude-standard --directory -- ${{base:+"$base"}} | tr '\\0' '\\n' | head -n 5000
fi
"""


class GlobTool:
    """Lists matching files, newest first, relative to /workspace; .git is never listed."""

    name = "glob"
    mutates = False

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "List files under /workspace whose path matches a glob. `*` and `?` do not "
                "cross `/`; `**` matches any number of directories, so `*.py` is top level "
                "only and `**/*.py` is everywhere. `{a,b}` and `[abc]` work. Results are "
                f"newest first (last modified), relative to /workspace, at most {MAX_RESULTS}. "
                "Files ignored by .gitignore (virtualenvs, node_modules, build output) are "
                "skipped and the result says so; a pattern that names an ignored directory, "
                "like `node_modules/pkg/**`, lists it."
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
            script = paths.script(
                GLOB_SCRIPT,
                regex=relative_regex(pattern),
                base=literal_base(pattern),
                cap=str(MAX_RESULTS),
            )
            result = sandbox.exec(script, timeout=120)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        header, _, body = result.output.partition("\n")
        if result.exit_code != 0 or not header.startswith("COUNT\t"):
            return failure(f"glob failed: {result.output.strip()}")
        total = int(header.split("\t")[1])
        listed, _, ignored_part = body.partition("\x01IGNORED\n")
        files = [line for line in listed.split("\n") if line]
        ignored = relevant_ignored(pattern, [e for e in ignored_part.split("\n") if e])
        note = ignored_note(ignored)
        meta = {"matches": total, "ignored": len(ignored)}
        if not files:
            return ToolResult(content=f"no files match {pattern}" + note, meta=meta)
        content = "\n".join(files)
        if total > len(files):
            content += f"\n[{total - len(files)} more matches not shown; narrow the pattern]"
        return ToolResult(content=content + note, meta=meta)


def could_hold_matches(pattern: str, entry: str) -> bool:
    """Whether an ignored file matches, or an ignored directory could hold a match."""
    if not entry.endswith("/"):
        return re.search(relative_regex(pattern), entry) is not None
    segments = normalise(pattern).split("/")
    names = entry.rstrip("/").split("/")
    for index, name in enumerate(names):
        if index >= len(segments):
            return False
        if segments[index] == "**":
            return True
        try:
            if not re.search(relative_regex(segments[index]), name):
                return False
        except (ToolInputError, re.error):
            return True  # a brace spanning segments: assume it could
    return len(segments) > len(names)


def relevant_ignored(pattern: str, entries: list[str]) -> list[str]:
    """The ignored entries that could have matched ``pattern``."""
    return [entry for entry in entries if could_hold_matches(pattern, entry)]


def ignored_note(ignored: list[str]) -> str:
    """A line saying what .gitignore hid from this listing."""
    if not ignored:
        return ""
    names = ", ".join(ignored[:IGNORED_SHOWN]) + (", …" if len(ignored) > IGNORED_SHOWN else "")
    return (
        f"\n[skipped {len(ignored)} path(s) ignored by .gitignore that could match: {names}; "
        "name an ignored directory in the pattern to list it, e.g. 'node_modules/pkg/**']"
    )
