"""What ``read`` shows for a directory (two levels) and for a path that does not exist.

Both are gathered in the container by the read script and formatted here. Directories that
.gitignore ignores are named but not opened, so a listing of the root never drowns in a venv
or node_modules; a missing path gets the workspace's nearest names as suggestions.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass, field

TOP_CAP = 400
CHILD_CAP = 30
SUGGESTIONS = 5
# After the resolver: $p is the absolute path, $rel the same relative to /workspace.
LISTING_SCRIPT = f"""list_dir() {{
  cd "$p" || exit 4
  tmp=$(mktemp -d)
  find . -mindepth 1 -maxdepth 2 -name .git -prune -o -printf '%y\\t%d\\t%P\\t%l\\n' \\
    2>/dev/null > "$tmp/all"
  # Inside a directory the model named although it is ignored, nothing is held back.
  if [ -n "$rel" ] && git -C /workspace check-ignore -q -- "$rel" 2>/dev/null; then
    : > "$tmp/ignored"
  else
    awk -F '\\t' -v rel="$rel" '$2 == 1 {{ print rel $3 ($1 == "d" ? "/" : "") }}' "$tmp/all" \\
      | git -C /workspace check-ignore --stdin 2>/dev/null > "$tmp/ignored"
  fi
  printf 'DIR\\n'
  awk -F '\\t' -v rel="$rel" -v top={TOP_CAP} -v child={CHILD_CAP} -v ign="$tmp/ignored" '
    FILENAME == ign {{ ignored[$0] = 1; next }}
    $2 == 1 {{ key = rel $3 ($1 == "d" ? "/" : ""); tops++
             if (tops <= top) printf "1\\t%s\\t%s\\t%s\\t%d\\n", $1, $3, $4, (key in ignored) }}
    $2 == 2 {{ parent = $3; sub(/\\/.*/, "", parent)
             if ((rel parent "/") in ignored) next
             if (++seen[parent] <= child) printf "2\\t%s\\t%s\\t%s\\t0\\n", $1, $3, $4
             else more[parent]++ }}
    END {{ for (d in more) printf "MORE\\t%s\\t%d\\n", d, more[d]
           if (tops > top) printf "TOPMORE\\t%d\\n", tops - top }}' "$tmp/ignored" "$tmp/all"
  rm -rf "$tmp"
  exit 0
}}
suggest() {{
  name=${{p##*/}}; dir=${{p%/*}}
  while [ -n "$dir" ] && [ ! -d "$dir" ]; do dir=${{dir%/*}}; done
  printf 'MISSING\\n'
  {{ {{ if git -C /workspace rev-parse --git-dir >/dev/null 2>&1; then
        git -C /workspace -c core.quotepath=off ls-files --cached --others --exclude-standard
      else find /workspace -name .git -prune -o -type f -printf '%P\\n'; fi
    }} | awk -v name="$name" '
      BEGIN {{ want = tolower(name); stem = want; sub(/\\..*/, "", stem)
               stem = substr(stem, 1, 3) }}
      {{ base = $0; sub(/.*\\//, "", base); base = tolower(base)
        if (base == want || (stem != "" && index(base, stem))) print }}' | head -n 300
    # Everything next to where the path would be: a typo in the name's first letters too.
    find "${{dir:-/workspace}}" -mindepth 1 -maxdepth 1 -name .git -prune -o -printf '%p\\n' \\
      | sed 's|^/workspace/||' | head -n 100
  }} 2>/dev/null
  exit 0
}}
"""


@dataclass
class Entry:
    kind: str
    """find's %y: f, d, l, ..."""
    path: str
    target: str = ""
    ignored: bool = False


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)
    top_more: int = 0


def parse_listing(body: str) -> Listing:
    """The rows ``list_dir`` printed after its ``DIR`` line."""
    listing = Listing()
    for row in body.split("\n"):
        fields = row.split("\t")
        if fields[0] in ("1", "2") and len(fields) == 5:
            listing.entries.append(Entry(fields[1], fields[2], fields[3], fields[4] == "1"))
        elif fields[0] == "MORE" and len(fields) == 3:
            listing.more[fields[1]] = int(fields[2])
        elif fields[0] == "TOPMORE" and len(fields) == 2:
            listing.top_more = int(fields[1])
    return listing


def render_listing(shown_as: str, listing: Listing) -> str:
    """A two-level tree: directories end with ``/``, children are indented under them."""
    tops = sorted((e for e in listing.entries if "/" not in e.path), key=lambda e: e.path)
    children: dict[str, list[Entry]] = {}
    for entry in listing.entries:
        if "/" in entry.path:
            children.setdefault(entry.path.split("/", 1)[0], []).append(entry)
    count = len(listing.entries)
    if not tops:
        return f"{shown_as}/ (directory; empty)"
    rows = [f"{shown_as}/ (directory; {count} entr{'y' if count == 1 else 'ies'}, 2 levels deep)"]
    for top in tops:
        rows.append(_name(top, top.path))
        for child in sorted(children.get(top.path, []), key=lambda e: e.path):
            rows.append("  " + _name(child, child.path.split("/", 1)[1]))
        if listing.more.get(top.path):
            rows.append(f"  [… {listing.more[top.path]} more entries in {top.path}/]")
    if listing.top_more:
        rows.append(f"[… {listing.top_more} more entries not shown; glob lists by pattern]")
    if any(e.ignored for e in tops):
        rows.append("[directories ignored by .gitignore are not opened; read one to list it]")
    return "\n".join(rows)


def _name(entry: Entry, name: str) -> str:
    if entry.kind == "d":
        return f"{name}/" + ("  (ignored by .gitignore)" if entry.ignored else "")
    if entry.kind == "l":
        return f"{name} -> {entry.target}"
    return name + ("  (ignored by .gitignore)" if entry.ignored else "")


def suggestions(wanted: str, body: str) -> list[str]:
    """The workspace paths closest to ``wanted`` (relative), best first."""
    candidates = sorted({row for row in body.split("\n") if row and row != wanted})
    name = posixpath.basename(wanted).lower()

    def score(path: str) -> float:
        by_name = difflib.SequenceMatcher(None, name, posixpath.basename(path).lower()).ratio()
        by_path = difflib.SequenceMatcher(None, wanted.lower(), path.lower()).ratio()
        return max(by_name * 0.9 + by_path * 0.1, by_path)

    ranked = sorted(candidates, key=lambda path: (-score(path), path))
    return [path for path in ranked if score(path) >= 0.6][:SUGGESTIONS]
