"""No import cycle between the modules of rounds, counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import nic1000

SRC = Path(nic1000.__file__).parent.parent
ROUNDS = SRC / "nic1000" / "rounds"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from package import module` imports the module; `from module import name` the module itself.
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        out |= {n for n in names if n in modules}
    return out


def _graph() -> dict[str, set[str]]:
    paths = [p for p in ROUNDS.rglob("*.py") if "migrations" not in p.parts]
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) - {_module_name(p)} for p in paths}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if found := visit(nxt):
                return found
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if found := visit(start):
            return found
    return None


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "nic1000.rounds.services.conflicts" in graph["nic1000.rounds.services.assignment"]
    assert "nic1000.rounds.services.assignment" in graph["nic1000.rounds.services.evaluators"]


def test_rounds_has_no_import_cycle() -> None:
    assert _cycle(_graph()) is None, " → ".join(_cycle(_graph()) or [])
