"""Probability of selection under scoring noise: a bootstrap of each panel's reviews, re-solved under the quotas.

Each draw replaces every candidacy's reviews by as many drawn with replacement from its own reviews (the
totals given, i.e. leniency-adjusted where the round adjusts), aggregates them the round's way (mean or
median) and re-solves the selection with all its quotas, eligibility and committee decisions
(:class:`~nic1000.algorithms.selection.resolve.Resolver`: the model built once, only the objective changes,
warm-started; exact).  A candidacy's probability is the share of draws in which it is selected.  A
candidacy without reviews keeps its score (it is not selectable anyway).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nic1000.algorithms.selection import GroupQuota, SelectionCandidate
from nic1000.algorithms.selection.resolve import Resolver

__all__ = ["SelectionProbabilities", "selection_probabilities"]


@dataclass
class SelectionProbabilities:
    probability: dict[Hashable, float] = field(default_factory=dict)
    draws: int = 0
    seconds: float = 0.0
    milp_fallbacks: int = 0  # draws whose LP vertex was fractional and went to the MILP


class _Panels:
    """The reviews grouped by number of reviews per candidacy, for vectorised resampling."""

    def __init__(self, ids: list[Hashable], totals: dict[Hashable, list[float]]):
        self.groups: list[tuple[np.ndarray, np.ndarray]] = []  # (candidacy positions, totals k × n)
        by_n: dict[int, list[int]] = {}
        for pos, cid in enumerate(ids):
            n = len(totals.get(cid, ()))
            if n:
                by_n.setdefault(n, []).append(pos)
        for n, positions in sorted(by_n.items()):
            mat = np.array([totals[ids[p]] for p in positions], dtype=np.float64).reshape(len(positions), n)
            self.groups.append((np.array(positions, dtype=np.int64), mat))

    def draw(self, rng: np.random.Generator, scores: np.ndarray, median: bool) -> np.ndarray:
        out = scores.copy()
        for positions, mat in self.groups:
            k, n = mat.shape
            pick = rng.integers(0, n, size=(k, n))
            sample = np.take_along_axis(mat, pick, axis=1)
            out[positions] = np.median(sample, axis=1) if median else sample.mean(axis=1)
        return out


def selection_probabilities(
    candidates: Sequence[SelectionCandidate],
    totals: dict[Hashable, list[float]],
    total: int | tuple[int | None, int | None],
    quotas: Sequence[GroupQuota] = (),
    *,
    draws: int = 200,
    method: str = "mean",
    seed: int = 0,
    resolver: Resolver | None = None,
) -> SelectionProbabilities:
    """Share of ``draws`` bootstrap draws in which each candidacy is selected.

    ``totals``: candidacy id → its review totals; raises ``SelectionInfeasible`` when the quotas cannot hold.
    """
    t0 = time.perf_counter()
    ids = [c.id for c in candidates]
    resolver = resolver or Resolver(candidates, total, quotas)
    panels = _Panels(ids, totals)
    base = np.array([c.score for c in candidates], dtype=np.float64)
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(ids), dtype=np.int64)
    for _ in range(draws):
        hits += resolver.solve(panels.draw(rng, base, method == "median"))
    return SelectionProbabilities(
        {cid: float(h) / draws for cid, h in zip(ids, hits.tolist(), strict=True)} if draws else {},
        draws,
        time.perf_counter() - t0,
        resolver.milp_fallbacks,
    )
