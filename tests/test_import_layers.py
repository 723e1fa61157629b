"""Imports run one way: entry points → workflows → steps → adapters, with no circles.

A circle between modules means neither can be read, tested or changed alone, and an
import-time circle breaks as soon as someone moves an import to the top of a file. Every
import counts here, also the ones inside functions (they only hide a circle from Python), but
not those under ``if TYPE_CHECKING:`` (types only, never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agents", "app", "webhooks", "devtools")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ours that ``path`` imports (``from a import b`` counts ``a.b`` if a module)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = (
        _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    )
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    known = {_module_name(p) for p in files}
    graph = {_module_name(p): _imports(p, known) for p in files}
    for name, targets in graph.items():
        # A package's __init__ is not a dependency of its own submodules' callers.
        targets.discard(name)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return circles


def _packages_only(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop edges to package ``__init__`` modules that merely re-export (``from app import x``)."""
    return {
        name: {t for t in targets if not (t in graph and name.startswith(t + "."))}
        for name, targets in graph.items()
    }


def test_no_module_imports_itself_through_a_circle() -> None:
    circles = _circles(_packages_only(_graph()))
    assert circles == [], (
        "import circles (every import counts, also inside functions):\n"
        + "\n".join(" ↔ ".join(c) for c in circles)
    )


def test_the_agents_library_imports_nothing_from_the_service() -> None:
    graph = _graph()
    leaks = {
        name: sorted(t for t in targets if t.split(".")[0] in {"app", "webhooks", "devtools"})
        for name, targets in graph.items()
        if name.split(".")[0] == "agents"
    }
    assert {k: v for k, v in leaks.items() if v} == {}


def test_webhooks_never_reach_into_workflows_or_github_calls() -> None:
    graph = _graph()
    forbidden = ("app.runs.workflow", "app.runs.github_steps", "app.github")
    leaks = {
        name: sorted(t for t in targets if t.startswith(forbidden))
        for name, targets in graph.items()
        if name.split(".")[0] == "webhooks"
    }
    assert {k: v for k, v in leaks.items() if v} == {}
