"""Explanations near the cut-off: why each candidacy there, each one whose fate differs from pure merit,
and each forced one was included or excluded (see the package docstring for the codes).

The quota reasons are exact for single exchanges: in an optimal selection no exchange of one excluded and one
selected candidacy improves the score, and the bounds named are the ones that make those exchanges
infeasible.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nic1000.algorithms.selection.model import SelectionModel
from nic1000.algorithms.selection.types import Explanation, SelectionCandidate

_CRITERIA = ("technology differentiation", "earlier nomination", "id")


def _decider(a: SelectionCandidate, b: SelectionCandidate) -> str:
    """Which tie-break criterion puts ``a`` ahead of ``b`` (same rounded score)."""
    ta = -np.inf if a.technology_score is None else a.technology_score
    tb = -np.inf if b.technology_score is None else b.technology_score
    if ta != tb:
        return _CRITERIA[0]
    if a.nominated_at != b.nominated_at:
        return _CRITERIA[1]
    return _CRITERIA[2]


def _fmt_score(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def explain(
    m: SelectionModel, chosen: np.ndarray, counts: np.ndarray, window: int
) -> tuple[list[Explanation], float | None]:
    """Explanations in merit order, and the cut-off score (None when no free candidacy is chosen)."""
    cut = _CutOff(m, chosen, counts)
    return [cut.explain(i) for i in sorted(cut.picks(window))], cut.cutoff


class _CutOff:
    """The selection seen from its cut-off: the merit list (selectable, not forced), how many of it are
    chosen (``k``), and which quota bounds are at their minimum or maximum."""

    def __init__(self, m: SelectionModel, chosen: np.ndarray, counts: np.ndarray):
        self.m, self.chosen, self.counts = m, chosen, counts
        merit = self.merit = np.flatnonzero(m.free)  # merit order
        self.in_merit = chosen[merit]
        k = self.k = int(self.in_merit.sum())
        self.cutoff = float(m.score[merit[k - 1]]) if k > 0 else None
        rows = range(len(m.rows))
        self.at_min = np.array([m.row_lo[r] > 0 and counts[r] <= m.row_lo[r] for r in rows], dtype=bool)
        self.at_max = np.array([np.isfinite(m.row_hi[r]) and counts[r] >= m.row_hi[r] for r in rows])
        self.pos_in_merit = np.full(m.n, -1, dtype=np.int64)
        self.pos_in_merit[merit] = np.arange(len(merit))
        self.chosen_free = merit[self.in_merit]
        self.excluded_free = merit[~self.in_merit]

    def picks(self, window: int) -> set[int]:
        """``window`` on each side of the cut-off, those displaced or promoted against merit, the forced."""
        merit, k, m = self.merit, self.k, self.m
        pick = {int(merit[j]) for j in range(max(0, k - window), min(len(merit), k + window))}
        displaced = merit[(np.arange(len(merit)) < k) & ~self.in_merit]
        promoted = merit[(np.arange(len(merit)) >= k) & self.in_merit]
        pick.update(int(i) for i in displaced)
        pick.update(int(i) for i in promoted)
        pick.update(int(i) for i in np.flatnonzero(m.forced_in | m.forced_out))
        return pick

    def explain(self, i: int) -> Explanation:
        """The explanation of candidacy ``i`` (merit position)."""
        m = self.m
        base: dict[str, Any] = {
            "id": m.ids[i],
            "selected": bool(self.chosen[i]),
            "merit_rank": i + 1,
            "score": float(m.score[i]),
        }
        if m.forced_in[i]:
            note = "" if m.eligible[i] else " (although ineligible)"
            return Explanation(
                code="forced_in", message=f"included: forced in by committee decision{note}", **base
            )
        if m.forced_out[i]:
            return Explanation(
                code="forced_out", message="excluded: forced out by committee decision", **base
            )
        return self._included(i, base) if self.chosen[i] else self._excluded(i, base)

    # ---- helpers -------------------------------------------------------------------------------------

    def _rows_of(self, i: int) -> list[int]:
        """The quota rows candidacy ``i`` counts toward."""
        fam_rows = self.m.item_row
        return [int(fam_rows[f][i]) for f in self.m.families if fam_rows[f][i] >= 0]

    def _tie_text(self, winner: int, loser: int) -> str:
        return f"ranks ahead on {_decider(self.m.candidates[winner], self.m.candidates[loser])}"

    def _swap_blockers(self, out_item: int, in_items: np.ndarray, role: str) -> tuple[set[int], np.ndarray]:
        """Rows blocking the exchange of out_item (leaves) with each of in_items (enters) or vice versa."""
        at_min, at_max = self.at_min, self.at_max
        blockers: set[int] = set()
        feasible = np.ones(len(in_items), dtype=bool)
        for f in self.m.families:
            ro = self.m.item_row[f][out_item]
            ri = self.m.item_row[f][in_items]
            differs = ri != ro
            if role == "leave":  # out_item leaves, in_items enter
                blk_out = differs & (ro >= 0) & (at_min[ro] if ro >= 0 else False)
                blk_in = differs & (ri >= 0) & at_max[np.maximum(ri, 0)]
            else:  # out_item enters, in_items leave
                blk_out = differs & (ro >= 0) & (at_max[ro] if ro >= 0 else False)
                blk_in = differs & (ri >= 0) & at_min[np.maximum(ri, 0)]
            if np.any(blk_out):
                blockers.add(int(ro))
            blockers.update(int(r) for r in np.unique(ri[blk_in]))
            feasible &= ~(blk_out | blk_in)
        return blockers, feasible

    # ---- excluded ------------------------------------------------------------------------------------

    def _excluded(self, i: int, base: dict[str, Any]) -> Explanation:
        """Excluded: a maximum of its own group, score, a tie, or minimums of the selected below it."""
        m, s_int = self.m, self.m.S
        p = int(self.pos_in_merit[i])
        maxed = [r for r in self._rows_of(i) if self.at_max[r]]
        below = self.chosen_free[self.pos_in_merit[self.chosen_free] > p]
        if maxed and (len(below) or p < self.k):
            return Explanation(
                code="quota_max",
                message="excluded: "
                + "; ".join(f"{m.rows[r].label} at its maximum {int(m.row_hi[r])}" for r in maxed),
                constraints=tuple(m.bound_key(r, "max") for r in maxed),
                **base,
            )
        if len(below) == 0:  # nothing ranked below it was chosen: decided by score (or a tie)
            return self._excluded_by_score(i, base, maxed)
        blockers, feasible = self._swap_blockers(i, below, "enter")
        if np.any(feasible & (s_int[below] < s_int[i])):  # cannot happen in an optimal solution
            return Explanation(
                code="joint_constraints",
                message="excluded: by the combination of quotas (no single exchange explains it)",
                **base,
            )
        if np.any(feasible):
            j = int(below[np.flatnonzero(feasible)[0]])
            return Explanation(
                code="tie_break_lost",
                message=f"excluded: tied on score {_fmt_score(m.score[i])} with selected {m.ids[j]}, "
                f"which {self._tie_text(j, i)}",
                **base,
            )
        rows = sorted(blockers)
        return Explanation(
            code="quota_min_elsewhere",
            message="excluded: every lower-ranked selected candidacy is required by a minimum: "
            + "; ".join(f"{m.rows[r].label} minimum {m.rows[r].lo}" for r in rows),
            constraints=tuple(m.bound_key(r, "min") for r in rows),
            **base,
        )

    def _excluded_by_score(self, i: int, base: dict[str, Any], maxed: list[int]) -> Explanation:
        """Excluded with nothing below it selected: a lost tie, a non-positive score, or the cut-off."""
        m, s_int = self.m, self.m.S
        sc = _fmt_score(m.score[i])
        extra = "".join(f"; {m.rows[r].label} is at its maximum {int(m.row_hi[r])}" for r in maxed)
        cons = tuple(m.bound_key(r, "max") for r in maxed)
        tied = self.chosen_free[s_int[self.chosen_free] == s_int[i]]
        if len(tied):
            j = int(tied[-1])
            msg = (
                f"excluded: tied on score {sc} with selected {m.ids[j]}, which {self._tie_text(j, i)}{extra}"
            )
            return Explanation(code="tie_break_lost", message=msg, constraints=cons, **base)
        if s_int[i] <= 0 and self.counts[0] < m.row_hi[0]:
            return Explanation(code="non_positive_score", message="excluded: score not positive", **base)
        msg = f"excluded: score {sc} below the cut-off ({_fmt_score(self.cutoff or 0.0)}){extra}"
        return Explanation(code="below_cutoff", message=msg, constraints=cons, **base)

    # ---- included ------------------------------------------------------------------------------------

    def _included(self, i: int, base: dict[str, Any]) -> Explanation:
        """Included: score, a minimum of its own group, a tie, or maximums blocking those above it."""
        m, s_int = self.m, self.m.S
        p = int(self.pos_in_merit[i])
        above = self.excluded_free[self.pos_in_merit[self.excluded_free] < p]
        if len(above) == 0:
            return self._included_by_score(i, base, p)
        mins = [r for r in self._rows_of(i) if self.at_min[r]]
        if mins:
            return Explanation(
                code="quota_min",
                message="included: "
                + "; ".join(f"{m.rows[r].label} minimum {m.rows[r].lo} required it" for r in mins),
                constraints=tuple(m.bound_key(r, "min") for r in mins),
                **base,
            )
        blockers, feasible = self._swap_blockers(i, above, "leave")
        if np.any(feasible & (s_int[above] > s_int[i])):  # cannot happen in an optimal solution
            return Explanation(
                code="joint_constraints",
                message="included: by the combination of quotas (no single exchange explains it)",
                **base,
            )
        if np.any(feasible):
            j = int(above[np.flatnonzero(feasible)[-1]])
            return Explanation(
                code="tie_break_won",
                message=f"included: tied on score {_fmt_score(m.score[i])} with excluded {m.ids[j]}; "
                f"{self._tie_text(i, j)}",
                **base,
            )
        rows = sorted(blockers)
        return Explanation(
            code="quota_max_elsewhere",
            message="included: the higher-ranked excluded candidacies are blocked by maximums: "
            + "; ".join(f"{m.rows[r].label} maximum {int(m.row_hi[r])}" for r in rows),
            constraints=tuple(m.bound_key(r, "max") for r in rows),
            **base,
        )

    def _included_by_score(self, i: int, base: dict[str, Any], p: int) -> Explanation:
        """Included with nothing above it excluded: a won tie or within the cut-off."""
        m, s_int = self.m, self.m.S
        sc = _fmt_score(m.score[i])
        tied = self.excluded_free[s_int[self.excluded_free] == s_int[i]]
        if len(tied):
            j = int(tied[0])
            return Explanation(
                code="tie_break_won",
                message=f"included: tied on score {sc} with {len(tied)} excluded candidacies "
                f"(first: {m.ids[j]}); {self._tie_text(i, j)}",
                **base,
            )
        return Explanation(
            code="within_cutoff",
            message=f"included: score {sc} within the cut-off ({_fmt_score(self.cutoff or 0.0)}), "
            f"merit rank {p + 1}",
            **base,
        )
