"""What :func:`assign` returns, and the diagnoses it raises when no assignment exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np


class AssignedPair(NamedTuple):
    """One review to write: candidacy and evaluator indices and their affinity."""

    candidacy: int
    evaluator: int
    affinity: float


@dataclass(frozen=True)
class Diagnosis:
    """One reason why an assignment (or selection) instance is infeasible."""

    code: str
    message: str
    candidacies: tuple[int, ...] = ()
    evaluators: tuple[int, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class AssignmentInfeasible(Exception):
    """No assignment satisfies the constraints; ``diagnoses`` says why."""

    def __init__(self, diagnoses: list[Diagnosis]):
        self.diagnoses = diagnoses
        super().__init__("; ".join(d.message for d in diagnoses) or "assignment infeasible")


@dataclass
class AssignmentResult:
    """The assignment with the bound that proves it optimal (or measures its gap)."""

    pairs: list[AssignedPair]  # sorted by (candidacy, evaluator); includes locked pairs
    locked: frozenset[tuple[int, int]]
    objective: float  # total affinity of all pairs (locked included)
    bound: float  # upper bound on the optimum of the full problem (= its LP optimum when optimal)
    gap: float  # (bound − objective) / max(|bound|, 1e-12)
    abs_gap: float
    simple_bound: float  # Σ_c top-k non-conflicted affinities, loads ignored
    seconds: float
    status: str  # "optimal" (proven for the full problem) | "feasible" (gap reported)
    loads: np.ndarray  # per evaluator, locked included
    n_arcs: int  # candidate arcs in the final flow
    rounds: int  # min-cost-flow solves
    restricted: bool  # candidate arcs were used instead of all arcs

    def by_candidacy(self) -> dict[int, list[int]]:
        """Candidacy → its evaluators."""
        out: dict[int, list[int]] = {}
        for p in self.pairs:
            out.setdefault(p.candidacy, []).append(p.evaluator)
        return out
