"""The role matrix: for every URL (pages and API), which roles may use it.

Each domain adds `tests/access/spec_<app>.py` with `CASES` (a list of Case) and optionally `build(world)`,
which adds the objects its cases point at to the shared `world` dict. `test_role_matrix.py` fails when a URL
has no case, so an unscoped view cannot slip in unnoticed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "public",
    "program_office",
    "ministry_officer",
    "evaluator",
    "institution_officer",
    "company",
    "support_group",
    "auditor",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"public"}

World = dict[str, Any]


@dataclass
class Case:
    url_name: str
    allowed: frozenset[str] | set[str]
    kwargs: Callable[[World], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    data: Callable[[World], Any] | Any = None
    query: str = ""
    # What an allowed role gets back (redirect after a successful POST is 302).
    ok: frozenset[int] = frozenset({200})
    # What a denied role gets back. Pages: login redirect (302) for the public, 403/404 for other roles.
    denied: frozenset[int] = frozenset({302, 403, 404})
    json: bool = False
    headers: Callable[[World, str], dict[str, str]] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{(' ' + self.label) if self.label else ''}"


def load_specs() -> tuple[list[Case], list[Callable[[World], None]]]:
    import tests.access as pkg

    cases: list[Case] = []
    builders: list[Callable[[World], None]] = []
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not mod.name.startswith("spec_"):
            continue
        module = importlib.import_module(f"tests.access.{mod.name}")
        cases.extend(getattr(module, "CASES", []))
        if hasattr(module, "build"):
            builders.append(module.build)
    return cases, builders
