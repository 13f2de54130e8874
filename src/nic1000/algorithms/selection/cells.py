"""Cells: candidacies with the same group in every quota family are interchangeable for the quotas, so a
small integer model over cell counts decides feasibility (and names an irreducible infeasible subset)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from nic1000.algorithms.selection.model import SelectionModel


def rank_within(labels: np.ndarray) -> np.ndarray:
    """Position of each element among the elements with the same label, in array order."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    srt = np.argsort(labels, kind="stable")
    sl = labels[srt]
    starts = np.r_[0, np.flatnonzero(sl[1:] != sl[:-1]) + 1]
    pos_sorted = np.arange(len(sl)) - np.repeat(starts, np.diff(np.r_[starts, len(sl)]))
    out = np.empty(len(labels), dtype=np.int64)
    out[srt] = pos_sorted
    return out


class Cells:
    """Candidacies with identical groups in every quota family, aggregated."""

    def __init__(self, m: SelectionModel):
        radix = [len(m.group_labels[f]) + 1 for f in m.families]
        if m.families and float(np.prod(np.array(radix, dtype=np.float64))) < 2.0**62:
            key = np.zeros(m.n, dtype=np.int64)
            for f in m.families:  # mixed-radix code of the group tuple (labels are few)
                key = key * (len(m.group_labels[f]) + 1) + (m.g[f] + 1)
            _, self.cell = np.unique(key, return_inverse=True)
            self.cell = self.cell.ravel()
        elif m.families:
            keys = np.stack([m.g[f] for f in m.families], axis=1)
            _, self.cell = np.unique(keys, axis=0, return_inverse=True)
            self.cell = self.cell.ravel()
        else:
            self.cell = np.zeros(m.n, dtype=np.int64)
        nc = int(self.cell.max()) + 1 if m.n else 0
        self.n = nc
        self.lower = np.bincount(self.cell[m.forced_in], minlength=nc).astype(np.float64)
        self.upper = np.bincount(self.cell[m.selectable], minlength=nc).astype(np.float64)
        # rows × cells incidence: a cell belongs to a row iff its candidacies do
        first = np.zeros(nc, dtype=np.int64)
        first[self.cell[::-1]] = np.arange(m.n)[::-1]
        self.B = m.A[:, first].tocsr() if nc else sp.csr_matrix((len(m.rows), 0))

    def solve(
        self, m: SelectionModel, active: set[tuple[int, str]] | None, time_limit: float, relaxed: bool = False
    ) -> np.ndarray | None:
        """A feasible cell-count vector with only the ``active`` quota bounds (None: all), or None.

        ``relaxed``: LP relaxation (continuous counts); infeasible there implies infeasible in integers.
        """
        lo = np.zeros(len(m.rows))
        hi = np.full(len(m.rows), np.inf)
        for r in range(len(m.rows)):
            if active is None or (r, "min") in active:
                lo[r] = m.row_lo[r]
            if active is None or (r, "max") in active:
                hi[r] = m.row_hi[r]
        if self.n == 0:
            return np.zeros(0) if (lo <= 0).all() else None
        res = milp(
            np.zeros(self.n),
            integrality=np.zeros(self.n) if relaxed else np.ones(self.n),
            bounds=Bounds(self.lower, self.upper),
            constraints=LinearConstraint(self.B, lo, hi),
            options={"time_limit": time_limit},
        )
        if res.status == 0 and res.x is not None:
            counts: np.ndarray = res.x if relaxed else np.round(res.x)
            return counts
        if res.status == 2:
            return None
        raise RuntimeError(f"feasibility model failed: {res.message}")

    def bound_elements(self, m: SelectionModel) -> list[tuple[int, str]]:
        """Every bound that constrains: (row, "min") where the minimum is positive, (row, "max") where finite."""
        out: list[tuple[int, str]] = []
        for r in range(len(m.rows)):
            if m.row_lo[r] > 0:
                out.append((r, "min"))
            if np.isfinite(m.row_hi[r]):
                out.append((r, "max"))
        return out

    def iis(self, m: SelectionModel, time_limit: float) -> list[tuple[int, str]]:
        """Irreducible infeasible subset of the quota bounds by deletion filtering."""
        active = self.bound_elements(m)
        # fast pre-filter with the LP relaxation when it is already infeasible (a subset that is infeasible
        # as an LP is infeasible in integers too), then the exact integer filter on what is left
        if self.solve(m, set(active), time_limit, relaxed=True) is None:
            for el in list(active):
                trial = [a for a in active if a != el]
                if self.solve(m, set(trial), time_limit, relaxed=True) is None:
                    active = trial
        for el in list(active):
            trial = [a for a in active if a != el]
            if self.solve(m, set(trial), time_limit) is None:
                active = trial
        return active


def canonical_within_cells(m: SelectionModel, cells: Cells, chosen: np.ndarray) -> np.ndarray:
    """Within each cell, take the chosen number of free candidacies from the top of the merit order.

    Candidacies of one cell are interchangeable for every quota, so this never changes feasibility and
    never lowers the score; it makes the within-cell choice independent of solver internals.
    """
    out: np.ndarray = chosen & ~m.free
    free_idx = np.flatnonzero(m.free)
    fc = cells.cell[free_idx]
    k = np.bincount(fc[chosen[free_idx]], minlength=cells.n)
    out[free_idx[rank_within(fc) < k[fc]]] = True
    if int(m.S[out].sum()) < int(m.S[chosen].sum()):  # cannot happen; keep the solver's answer
        return chosen
    return out
