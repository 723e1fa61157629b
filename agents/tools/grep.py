"""``grep``: ripgrep over the workspace, inside the container: files with counts, or lines."""

from __future__ import annotations

from typing import Any

from agents.errors import SandboxError
from agents.sandbox import paths
from agents.sandbox.protocol import Sandbox
from agents.tools import grep_search
from agents.tools.arguments import ToolInputError, failure, flag, integer, optional_text, text
from agents.tools.base import ToolResult

MAX_FILES = 200
MAX_LINES = 200
MAX_BYTES = 20_000
MODES = ("files_with_counts", "lines")


class GrepTool:
    """Regex search with include globs, case folding and context; .gitignore is respected."""

    name = "grep"
    mutates = False

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": (
                "Search file contents under /workspace with a regular expression (ripgrep / "
                "Rust regex syntax). By default lists the matching files with their count of "
                f"matching lines (`path:count`, at most {MAX_FILES} files); "
                '`output_mode: "lines"` (the default when `context` is set) shows the '
                f"matching lines as `path:line:text`, at most {MAX_LINES}. Output is sorted by "
                "path, and says exactly what the caps left out. Files ignored by .gitignore "
                "are skipped."
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
                    "output_mode": {
                        "type": "string",
                        "enum": list(MODES),
                        "description": "files_with_counts (default) or lines.",
                    },
                    "ignore_case": {
                        "type": "boolean",
                        "description": "Match case-insensitively (default false).",
                    },
                    "context": {
                        "type": "integer",
                        "description": "Lines of context around each match (default 0; "
                        "implies output_mode lines).",
                    },
                },
                "required": ["pattern"],
            },
        }

    def run(self, sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
        try:
            pattern = text(args, "pattern")
            context = integer(args, "context", 0, low=0, high=20)
            mode = optional_text(args, "output_mode") or ("lines" if context else MODES[0])
            if mode not in MODES:
                raise ToolInputError(f"argument 'output_mode' must be one of {MODES}, got {mode!r}")
            script = paths.script(
                grep_search.SEARCH_SCRIPT,
                target=optional_text(args, "path") or ".",
                pattern=pattern,
                include=optional_text(args, "include") or "",
                icase="1" if flag(args, "ignore_case") else "0",
                mode=mode,
                context=str(context),
                files_cap=str(MAX_FILES),
                lines_cap=str(MAX_LINES),
                bytes_cap=str(MAX_BYTES),
                named=str(grep_search.NAMED_LEFT_OUT),
            )
            result = sandbox.exec(script, timeout=120)
        except (ToolInputError, SandboxError) as exc:
            return failure(str(exc))
        return render(pattern, mode, result.output, result.exit_code)


def render(pattern: str, mode: str, output: str, exit_code: int) -> ToolResult:
    """The listing plus a note naming what the caps left out; rg's errors as errors."""
    summary = grep_search.parse(output) if exit_code == 0 else None
    if summary is None:
        message = output.strip()
        if "regex parse error" in message or "error parsing" in message:
            return failure(f"invalid regular expression {pattern!r}:\n{message}")
        return failure(f"grep failed (exit {exit_code}): {message}")
    if summary.total == 0:
        return ToolResult(content=f"no matches for {pattern!r}", meta={"lines": 0, "files": 0})
    meta: dict[str, Any] = {"lines": summary.total, "files": summary.files}
    if mode == "files_with_counts":
        rows = [f"{path}:{count}" for path, count in summary.listed]
        note = grep_search.left_out_note(
            summary.left_lines,
            summary.left_files,
            [path for path, _ in summary.left_named],
        )
        meta["shown_files"] = len(rows)
    else:
        rows, shown = grep_search.shown_lines(summary)
        partial = [(path, n - shown.get(path, 0)) for path, n in summary.listed]
        partial = [(path, left) for path, left in partial if left > 0]
        names = [f"{path} ({left} more)" for path, left in partial]
        names += [path for path, _ in summary.left_named]
        note = grep_search.left_out_note(
            summary.left_lines + sum(left for _, left in partial),
            summary.left_files + len(partial),
            names,
        )
        meta["shown"] = sum(shown.values())
    header = (
        f"{summary.total} matching line{'s' if summary.total != 1 else ''} in "
        f"{summary.files} file{'s' if summary.files != 1 else ''}"
    )
    content = "\n".join([header, *rows, *([note] if note else [])])
    return ToolResult(content=content, meta=meta)
