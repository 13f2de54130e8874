"""Many re-solves of one selection with changed scores (bootstrap draws, weight scenarios).

The quotas, eligibility and committee decisions stay fixed; only the scores move. :class:`Resolver` builds
the model once — the LP relaxation over the free candidacies in HiGHS (``highspy``) — and for each new score
vector changes only the objective coefficients and re-runs the dual simplex from the previous optimal basis
(a warm start: the basis stays feasible when only costs change, so a few pivots usually suffice).

Why the LP is exact here: a total plus quota families of which each candidacy belongs to at most one group
per family gives constraint rows that are the union of laminar families when there are at most two quota
families (family 1's groups together with the total form one laminar family, family 2's groups another).
The incidence matrix of two laminar families is totally unimodular, so every vertex of the LP is integral
and an optimal basic solution *is* an optimal selection.  Every answer is still checked: a solution that is
not integral (three or more families can produce one) is solved again with the exact MILP
(``scipy.optimize.milp``) over the same rows, so the result is optimal in every case.  Ties between equal
scores are broken arbitrarily (draws have continuous scores; the merit-order tie-break of :func:`select`
is not needed for probabilities).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from nic1000.algorithms.selection.cells import Cells
from nic1000.algorithms.selection.diagnosis import diagnose, named_diagnoses
from nic1000.algorithms.selection.model import SelectionModel
from nic1000.algorithms.selection.types import GroupQuota, SelectionCandidate, SelectionInfeasible

__all__ = ["Resolver"]

_INTEGRAL_TOL = 1e-6
_quiet = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance (its first construction in a process prints a banner to file descriptor 1,
    before any option can be set: that one line is sent to /dev/null)."""
    global _quiet
    if _quiet:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _quiet = True
    h.setOptionValue("output_flag", False)
    return h


class Resolver:
    """The selection model built once; :meth:`solve` answers for a new score per candidacy.

    ``candidates`` fix ids, eligibility, groups and committee decisions (their scores are not used);
    raises :class:`SelectionInfeasible` with the named diagnoses when the quotas cannot hold.
    """

    def __init__(
        self,
        candidates: Sequence[SelectionCandidate],
        total: int | tuple[int | None, int | None],
        quotas: Sequence[GroupQuota] = (),
    ):
        m = SelectionModel(candidates, total, quotas, score_decimals=4)
        diags = named_diagnoses(m)
        if diags:
            raise SelectionInfeasible(diags)
        cells = Cells(m)
        if cells.solve(m, None, 60.0) is None:
            raise SelectionInfeasible(diagnose(m, cells, 60.0))
        self.ids = [c.id for c in candidates]
        position = {cid: i for i, cid in enumerate(m.ids)}
        # model position of each input candidacy (the model sorts by merit; scores come in input order)
        self._pos = np.array([position[c.id] for c in candidates], dtype=np.int64)
        self._forced_in = m.forced_in
        self._free = np.flatnonzero(m.free)
        forced_counts = m.counts(m.forced_in)
        self._lo = np.maximum(m.row_lo - forced_counts, 0.0)
        self._hi = m.row_hi - forced_counts
        self._a = m.A[:, self._free].tocsc()
        self.milp_fallbacks = 0
        self.solves = 0
        self._h = self._build()

    def _build(self) -> highspy.Highs:
        h = _highs()
        h.setOptionValue("presolve", "off")  # keeps the basis for the warm start of the next solve
        lp = highspy.HighsLp()
        nfree, nrow = len(self._free), self._a.shape[0]
        lp.num_col_ = nfree
        lp.num_row_ = nrow
        lp.col_cost_ = np.zeros(nfree)
        lp.col_lower_ = np.zeros(nfree)
        lp.col_upper_ = np.ones(nfree)
        lp.row_lower_ = self._lo
        lp.row_upper_ = np.where(np.isfinite(self._hi), self._hi, highspy.kHighsInf)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self._a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = self._a.indices.astype(np.int32)
        lp.a_matrix_.value_ = self._a.data.astype(np.float64)
        h.passModel(lp)
        return h

    def solve(self, scores: np.ndarray) -> np.ndarray:
        """Boolean mask over the input candidacies: selected in an optimal selection for ``scores``."""
        scores = np.asarray(scores, dtype=np.float64)
        model_scores = np.empty(len(scores))
        model_scores[self._pos] = scores
        chosen = self._forced_in.copy()
        if len(self._free):
            cost = model_scores[self._free]
            self._h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
            self._h.run()
            status = self._h.getModelStatus()
            x = (
                np.asarray(self._h.getSolution().col_value)
                if status == highspy.HighsModelStatus.kOptimal
                else None
            )
            if x is None or np.abs(x - np.round(x)).max(initial=0.0) > _INTEGRAL_TOL:
                x = self._milp(cost)
            chosen[self._free] = x > 0.5
        self.solves += 1
        return chosen[self._pos]

    def _milp(self, cost: np.ndarray) -> np.ndarray:
        """The exact answer when the LP's vertex is fractional (or HiGHS failed)."""
        self.milp_fallbacks += 1
        res = milp(
            -cost,
            integrality=np.ones(len(cost)),
            bounds=Bounds(0, 1),
            constraints=[LinearConstraint(self._a, self._lo, self._hi)],
            options={"mip_rel_gap": 0.0},
        )
        if res.x is None:
            raise RuntimeError(f"selection MILP failed: {res.message}")
        out: np.ndarray = np.round(np.asarray(res.x, dtype=np.float64))
        return out
