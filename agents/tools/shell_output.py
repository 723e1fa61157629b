"""The shell tool's output: saved whole to a file in the sandbox, shown as head and tail.

The command's stdout and stderr go to one file under ``/tmp`` (one stream, so their order is
exact), and the same exec prints a bounded view of it afterwards: the whole output when it is
small, else a short head and a long tail, because failures come last. A cut output keeps its
file, named in the note, so the model can read the middle instead of running the command
again. A command killed by its timeout still gets its view, from the TERM trap.

The view's header also carries the workspace's tree id after the command, as the snapshot
computes it (``git add -A`` into the private snapshot index, ``git write-tree``): a command
that changed nothing (tests, ``ls``, ``git diff``) then needs no snapshot of its own, and the
exec that would have taken one is saved. ``-`` when it could not be computed (a timeout, a
broken ``.git``): the snapshot is taken as before.
"""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass, replace

LOG_DIR = "/tmp/fixer-shell"
KEEP_LOGS = 20
"""Cut outputs whose files are kept; older ones are removed (``/tmp`` is memory)."""
MAX_SAVED = 50_000_000
"""Bigger outputs are not kept: a runaway command must not fill ``/tmp``."""

# $1 of the view: the exit status the script ends with. Names start with __fx_ so that they
# cannot clash with the command's own variables (the command runs in a subshell anyway).
SCRIPT = """__fx_view() {
  __fx_size=$(stat -c %s -- "$__fx_log" 2>/dev/null) || __fx_size=0
  if [ "$__fx_size" -le $((__fx_head + __fx_tail)) ]; then
    printf '%s %s - %s\\n' "$__fx_mark" "$__fx_size" "${__fx_tree:--}"
    cat -- "$__fx_log"; rm -f -- "$__fx_log"
  else
    printf '%s %s %s %s\\n' "$__fx_mark" "$__fx_size" "$(wc -l < "$__fx_log")" "${__fx_tree:--}"
    head -c "$__fx_head" -- "$__fx_log"; printf '\\n%s-CUT\\n' "$__fx_mark"
    tail -c "$__fx_tail" -- "$__fx_log"
    if [ "$__fx_size" -gt {max_saved} ]; then rm -f -- "$__fx_log"
    else ls -1t -- {log_dir}/*.log 2>/dev/null | tail -n +{keep} | xargs -r rm -f --; fi
  fi
}
"""
# The snapshot's own first steps and index (agents.sandbox.snapshot), so the same tree id.
WORKSPACE_TREE = """__fx_workspace_tree() {
  ( cd /workspace && export GIT_INDEX_FILE=.git/fixer/index &&
    { [ -f "$GIT_INDEX_FILE" ] || git read-tree "$(cat .git/fixer/base)"; } &&
    git add -A && git write-tree ) 2>/dev/null | grep -xE '[0-9a-f]{40,64}' || echo -
}
"""
RUN = """[ -d {log_dir} ] || mkdir -p {log_dir} 2>/dev/null
if : > "$__fx_log" 2>/dev/null; then
  trap '__fx_view; exit 124' TERM
  ( eval "$__fx_cmd" ) >> "$__fx_log" 2>&1
  __fx_status=$?
  trap 'exit 124' TERM
  __fx_tree=$(__fx_workspace_tree)
  __fx_view
  exit "$__fx_status"
fi
eval "$__fx_cmd"
"""


@dataclass(frozen=True)
class OutputPlan:
    """Where one command's output goes and how much of it comes back."""

    mark: str
    log: str
    head: int
    tail: int

    @classmethod
    def new(cls, shown_bytes: int) -> OutputPlan:
        token = secrets.token_hex(6)
        head = shown_bytes // 4
        return cls(f"FIXER-OUT-{token}", f"{LOG_DIR}/{token}.log", head, shown_bytes - head)

    def _preamble(self, command: str = "") -> str:
        values = {
            "__fx_cmd": command,
            "__fx_log": self.log,
            "__fx_mark": self.mark,
            "__fx_head": str(self.head),
            "__fx_tail": str(self.tail),
        }
        assigns = "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items())
        body = SCRIPT.replace("{max_saved}", str(MAX_SAVED)).replace("{log_dir}", LOG_DIR)
        return assigns + body.replace("{keep}", str(KEEP_LOGS + 1))

    def script(self, command: str) -> str:
        """Bash that runs ``command`` into the log, then prints the view of the log."""
        return self._preamble(command) + WORKSPACE_TREE + RUN.replace("{log_dir}", LOG_DIR)

    def view_script(self) -> str:
        """Bash that prints the view of an existing log (after a hard kill)."""
        return self._preamble() + '[ -e "$__fx_log" ] && __fx_view\n'


@dataclass(frozen=True)
class View:
    """What of a command's output the model gets to see."""

    text: str
    """The output, or its head and tail with a note between them."""
    total_bytes: int
    cut_bytes: int = 0
    saved_to: str | None = None
    tree: str | None = None
    """The workspace's tree id after the command (None: not known)."""


def parse(plan: OutputPlan, output: str) -> View | None:
    """The view printed by ``plan``'s script, or None when it printed none."""
    at = output.find(plan.mark + " ")
    if at < 0:
        return None
    before = output[:at]
    header, _, rest = output[at:].partition("\n")
    fields = header.split(" ")
    if len(fields) not in (3, 4) or not fields[1].isdigit():
        return None
    size = int(fields[1])
    tree = fields[3] if len(fields) == 4 and fields[3] != "-" else None
    if fields[2] == "-":
        return View(before + rest, size, tree=tree)
    head, separator, tail = rest.partition(f"\n{plan.mark}-CUT\n")
    if not separator or not fields[2].isdigit():
        return None
    return replace(cut_view(plan, before + head, tail, size, int(fields[2])), tree=tree)


def cut_view(plan: OutputPlan, head: str, tail: str, size: int, newlines: int) -> View:
    """Head and tail trimmed to whole lines, with a note on what was cut and where it is."""
    if "\n" in head:
        head = head[: head.rindex("\n") + 1]
    if "\n" in tail[:-1]:
        tail = tail[tail.index("\n") + 1 :]
    lines = newlines + (0 if tail.endswith("\n") else 1)
    head_lines = head.count("\n")
    tail_lines = tail.count("\n") + (0 if tail.endswith("\n") else 1)
    first_cut, last_cut = head_lines + 1, lines - tail_lines
    cut = max(size - len(head.encode()) - len(tail.encode()), 0)
    kept = size <= MAX_SAVED
    where = (
        f"the whole output ({size:,} bytes, {lines:,} lines) is saved in {plan.log}; "
        f"read the cut lines a few hundred at a time "
        f"(`sed -n '{first_cut},{min(first_cut + 199, last_cut)}p' {plan.log}`) or search "
        f"them (`grep -n PATTERN {plan.log}`)"
        if kept
        else f"the whole output ({size:,} bytes) was too big to keep; redirect it to a file "
        "and filter it"
    )
    note = (
        f"[... {cut:,} bytes (lines {first_cut:,}-{last_cut:,}) cut from the middle; {where} ...]"
    )
    return View(head + note + "\n" + tail, size, cut_bytes=cut, saved_to=plan.log if kept else None)
