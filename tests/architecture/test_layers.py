"""The layout of docs/architecture.md, enforced: which app may import which, no import cycles between modules,
no domain app importing the demo, the pure algorithms free of Django, and modules of a readable size."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "nic1000"

# Lowest first: an app may import only the apps before it (and itself).
LAYERS = (
    "algorithms",
    "core",
    "audit",
    "activity",
    "accounts",
    "registry",
    "designations",
    "rounds",
    "calls",
    "finance",
    "monitoring",
    "appeals",
    "reports",
    "search",
    "home",
    "demo",
    "ops",
)
PROJECT = {"api", "urls", "settings", "wsgi", "__main__", "__init__"}  # the project's own modules: anything
MAX_LINES = 700
LONG_REASON = "Why this module is long:"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> set[str]:
    """Every nic1000 module imported anywhere in the file (function-level imports count: they are arrows too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return {m for m in found if m == "nic1000" or m.startswith("nic1000.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_apps_import_only_lower_layers() -> None:
    wrong = []
    for module, targets in _graph().items():
        src = _app(module)
        if src in PROJECT:
            continue
        assert src in LAYERS, f"{module}: app '{src}' has no place in LAYERS (docs/architecture.md)"
        for target in targets:
            dst = _app(target)
            if dst == src:
                continue
            if dst in PROJECT or LAYERS.index(dst) > LAYERS.index(src):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_no_domain_app_imports_the_demo() -> None:
    wrong = [
        f"{m} -> {t}"
        for m, targets in _graph().items()
        for t in targets
        if _app(t) == "demo" and _app(m) not in ("demo", *PROJECT)
    ]
    assert not wrong, wrong


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ importing its own submodules (re-exports) is not a cycle of meaning.
    return {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}


def test_no_import_cycles() -> None:
    cycles = _cycles(_without_packages(_graph()))
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_cycle_finder_finds_a_cycle() -> None:
    # The check above must be able to fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_algorithms_are_pure() -> None:
    wrong = []
    for path in (SRC / "algorithms").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            wrong += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
            wrong += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith("nic1000.") and not n.startswith("nic1000.algorithms")
            ]
    assert not wrong, wrong


@pytest.mark.parametrize("path", list(_sources()), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_are_of_readable_size(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines > MAX_LINES:
        doc = ast.get_docstring(ast.parse(text)) or ""
        assert LONG_REASON in doc, f"{lines} lines: split it, or say '{LONG_REASON} …' in its docstring"
