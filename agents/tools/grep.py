"""``grep``: ripgrep over the workspace, inside the container, with capped results."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools.arguments import ToolInputError, failure, integer, optional_text, text
from agents.tools.base import ToolResult

MAX_LINES = 200
MAX_BYTES = 20_000
# awk keeps the first lines up to both caps and counts the rest; the last line it prints is
# "\x01<total> <shown>" so the tool can say how much was left out.
GREP_SCRIPT = """resolve p "$target"
[ -e "$p" ] || { echo "fixer: $target does not exist"; exit 4; }
set -- --line-number --no-heading --with-filename --color=never --hidden --glob '!.git' \\
  --max-columns 300 --max-columns-preview
[ -n "$include" ] && set -- "$@" --glob "$include"
[ "$context" -gt 0 ] && set -- "$@" --context "$context"
cd /workspace
if [ "$p" = /workspace ]; then where=; else where=${p#/workspace/}; fi
rg "$@" --regexp "$pattern" ${where:+-- "$where"} 2>/tmp/.fixer-rg-err.$$ \\
  | awk -v cap="$cap" -v maxb="$maxb" \\
    'NR <= cap && b + length($0) < maxb { print; b += length($0) + 1; s++ }
     END { printf "\\001%d %d\\n", NR, s }'
status=${PIPESTATUS[0]}
if [ "$status" -eq 2 ]; then cat /tmp/.fixer-rg-err.$$; fi
rm -f /tmp/.fixer-rg-err.$$
exit "$status"
"""


class GrepTool:
    """Regex search with include globs and context lines; .gitignore is respected."""

    name = "grep"
    mutates = False

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Search file contents under /workspace with a regular expression (ripgrep / "
                "Rust regex syntax). Returns `path:line:text` lines, at most "
                f"{MAX_LINES}. Files ignored by .gitignore are skipped."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Regular expression."},
                    "path": {
                        "type": "string",
                        "description": "File or directory to search (default: /workspace).",
                    },
                    "include": {
                        "type": "string",
                        "description": "Only files matching this glob, e.g. '*.py'.",
                    },
                    "context": {
                        "type": "integer",
                        "description": "Lines of context around each match (default 0).",
                    },
                },
                "required": ["pattern"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            pattern = text(args, "pattern")
            script = paths.script(
                GREP_SCRIPT,
                target=optional_text(args, "path") or ".",
                pattern=pattern,
                include=optional_text(args, "include") or "",
                context=str(integer(args, "context", 0, low=0, high=20)),
                cap=str(MAX_LINES),
                maxb=str(MAX_BYTES),
            )
            result = sandbox.exec(script, timeout=120)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        return render(pattern, result.output, result.exit_code)


def render(pattern: str, output: str, exit_code: int) -> ToolResult:
    """Matches plus a count of what the caps left out; rg's errors as errors."""
    body, _, counts = output.rpartition("\x01")
    if exit_code == 2 or "\x01" not in output:
        message = output.replace("\x01", "").strip()
        if "regex parse error" in message or "error parsing" in message:
            return failure(f"invalid regular expression {pattern!r}:\n{message}")
        return failure(f"grep failed (exit {exit_code}): {message}")
    if exit_code not in (0, 1):
        return failure(body.strip() or f"grep failed (exit {exit_code})")
    total, shown = (int(n) for n in counts.split()[:2])
    if total == 0:
        return ToolResult(content=f"no matches for {pattern!r}", meta={"lines": 0})
    content = body.rstrip("\n")
    if total > shown:
        content += f"\n[{total - shown} more result lines not shown; narrow the search]"
    return ToolResult(content=content, meta={"lines": total, "shown": shown})
