"""Evaluator ↔ candidacy assignment as a min-cost flow (pure: numpy / scipy / OR-Tools, no Django).

Problem
-------
Given an affinity matrix ``A`` (n_candidacies × n_evaluators), choose pairs ``x_ce ∈ {0, 1}`` maximising
``Σ A_ce x_ce`` such that

* every candidacy *c* gets exactly ``k_c`` evaluators (``reviews_per_candidacy``, default 3);
* every evaluator *e* gets a load in ``[min_load_e, max_load_e]``;
* forbidden pairs (conflicts of interest, declared conflicts, manual removals) are never used;
* locked pairs (submitted reviews, manual assignments by the programme office) are always used.

Formulation
-----------
Locked pairs are set aside first: they reduce ``k_c``, ``min_load_e`` and ``max_load_e``.  The rest is a
min-cost flow solved to optimality with OR-Tools ``SimpleMinCostFlow`` (node-demand formulation for the
load lower bounds)::

    candidacy c   (supply k'_c)
      ──[cap 1, cost −round(A_ce · scale)]──▶ evaluator e   (demand min'_e)
      ──[cap max'_e − min'_e, cost 0]──▶ sink t   (demand Σk' − Σmin')

The constraint matrix is a bipartite incidence matrix (totally unimodular), so the flow optimum equals
the LP optimum and is integral.  Costs are integers (``scale`` = 10⁶ per unit of affinity by default), so
the reported objective can differ from the real-valued optimum by at most ``0.5 / scale`` per pair.

Scale and the bound
-------------------
For large instances (more than ``full_arcs_limit`` allowed pairs) only *candidate arcs* enter the flow:
each candidacy's top-N evaluators and each evaluator's top-M candidacies.  Optimality for the **full**
problem is then checked by LP duality: node potentials of the optimal restricted flow are computed by a
(vectorised) Bellman–Ford on its residual graph; every left-out arc with a negative reduced cost is added
and the flow re-solved (column generation) until none is left.  The evaluator potentials ``p_e`` also give
an honest upper bound for the full problem (Lagrangian relaxation of the load constraints, valid for
*any* ``p``)::

    bound(p) = Σ_locked A + Σ_c (sum of the k'_c largest A_ce − p_e over allowed e)
               + Σ_e (max'_e · max(p_e, 0) − min'_e · max(−p_e, 0))

``p = 0`` gives the simple bound "top-k non-conflicted affinities per candidacy, loads ignored" (reported as
``simple_bound``); the potentials of the optimal flow make the bound equal to the LP optimum of the full
problem, so ``gap`` is the true optimality gap (0 up to integer-cost rounding when ``status == "optimal"``).
If the restricted problem is infeasible, the arc set is widened automatically (×4 per step, up to all arcs).

Infeasibility
-------------
Infeasible instances raise :class:`AssignmentInfeasible` with a list of :class:`Diagnosis` items (code,
message, candidacy and evaluator indices).  Cheap counting checks come first (too few non-conflicted
evaluators for a candidacy, total reviews above total maximum load, sum of minimum loads above total
reviews, locked-pair problems …).  Group (Hall-type) deficits are then found with two max-flows whose
minimum cuts name a set of candidacies that together need more reviews than their non-conflicted
evaluators can take, or a set of evaluators whose minimum loads their candidacies cannot fill.  By
Hoffman's circulation theorem these two kinds of cut, plus the counting checks, cover every way this
problem can be infeasible.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import max_flow, min_cost_flow

__all__ = [
    "AssignedPair",
    "AssignmentInfeasible",
    "AssignmentResult",
    "Diagnosis",
    "assign",
    "diagnose_assignment",
    "lagrangian_bound",
]


class AssignedPair(NamedTuple):
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
    def __init__(self, diagnoses: list[Diagnosis]):
        self.diagnoses = diagnoses
        super().__init__("; ".join(d.message for d in diagnoses) or "assignment infeasible")


@dataclass
class AssignmentResult:
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
        out: dict[int, list[int]] = {}
        for p in self.pairs:
            out.setdefault(p.candidacy, []).append(p.evaluator)
        return out


# ---------------------------------------------------------------------------------------- preparation


def _per_item(value: int | Sequence[int] | np.ndarray | None, n: int, default: int, name: str) -> np.ndarray:
    if value is None:
        arr = np.full(n, default, dtype=np.int64)
    elif np.isscalar(value):
        arr = np.full(n, int(value), dtype=np.int64)  # type: ignore[arg-type]
    else:
        arr = np.asarray(value, dtype=np.int64).copy()
        if arr.shape != (n,):
            raise ValueError(f"{name} must be a scalar or have length {n}, got shape {arr.shape}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return arr


def _pairs_to_flat(pairs: Any, n_c: int, n_e: int, name: str) -> np.ndarray:
    """Sorted unique flat indices c * n_e + e of a pair list, boolean matrix or sparse matrix."""
    if pairs is None:
        return np.zeros(0, dtype=np.int64)
    if sp.issparse(pairs):
        coo = sp.coo_matrix(pairs)
        mask = coo.data != 0
        rows, cols = coo.row[mask].astype(np.int64), coo.col[mask].astype(np.int64)
        if coo.shape != (n_c, n_e):
            raise ValueError(f"{name} matrix must have shape {(n_c, n_e)}")
    elif (
        isinstance(pairs, np.ndarray)
        and pairs.ndim == 2
        and pairs.shape == (n_c, n_e)
        and pairs.dtype == bool
    ):
        rows, cols = (a.astype(np.int64) for a in np.nonzero(pairs))
    else:
        arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
        rows, cols = arr[:, 0], arr[:, 1]
    if len(rows) and (rows.min() < 0 or rows.max() >= n_c or cols.min() < 0 or cols.max() >= n_e):
        raise ValueError(f"{name} contains an index out of range")
    return _sorted_unique(rows * n_e + cols)


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted unique values (sort-based; faster than hash-based np.unique for large int arrays)."""
    if len(x) == 0:
        return x.astype(np.int64)
    x = np.sort(x, kind="stable")
    return x[np.concatenate([[True], x[1:] != x[:-1]])]


def _in_sorted(x: np.ndarray, sorted_ref: np.ndarray) -> np.ndarray:
    if len(sorted_ref) == 0:
        return np.zeros(len(x), dtype=bool)
    pos = np.searchsorted(sorted_ref, x)
    pos[pos == len(sorted_ref)] = 0
    return sorted_ref[pos] == x


class _Problem:
    """Validated data with locked pairs set aside (reduced k', min', max')."""

    def __init__(
        self,
        affinity: Any,
        k: Any,
        min_load: Any,
        max_load: Any,
        forbidden: Any,
        locked: Any,
        candidacy_ids: Sequence[Any] | None,
        evaluator_ids: Sequence[Any] | None,
        block_rows: int,
    ):
        if sp.issparse(affinity):
            self.a = sp.csr_matrix(affinity, dtype=np.float64)
            if not np.isfinite(self.a.data).all():
                raise ValueError("affinity contains NaN or infinite values")
        else:
            self.a = np.asarray(affinity, dtype=np.float64)
            if self.a.ndim != 2:
                raise ValueError("affinity must be a 2-D matrix")
            if not np.isfinite(self.a).all():
                raise ValueError("affinity contains NaN or infinite values")
        self.n_c, self.n_e = self.a.shape
        n_c, n_e = self.n_c, self.n_e
        self.block_rows = block_rows
        self.k = _per_item(k, n_c, 3, "reviews_per_candidacy")
        self.min_load = _per_item(min_load, n_e, 0, "min_load")
        self.max_load = _per_item(max_load, n_e, n_c, "max_load")
        self.forbidden = _pairs_to_flat(forbidden, n_c, n_e, "forbidden")
        self.locked_flat = _pairs_to_flat(locked, n_c, n_e, "locked")
        self.cids = list(candidacy_ids) if candidacy_ids is not None else None
        self.eids = list(evaluator_ids) if evaluator_ids is not None else None
        lr, lc = np.divmod(self.locked_flat, n_e)
        self.locked_rows, self.locked_cols = lr, lc
        self.locked_c = np.bincount(lr, minlength=n_c).astype(np.int64)
        self.locked_e = np.bincount(lc, minlength=n_e).astype(np.int64)
        self.kr = np.maximum(self.k - self.locked_c, 0)
        self.minr = np.maximum(self.min_load - self.locked_e, 0)
        self.maxr = np.maximum(self.max_load - self.locked_e, 0)
        self.blocked = _sorted_unique(np.concatenate([self.forbidden, self.locked_flat]))
        self.cap_ok = self.maxr > 0  # evaluators that can take another review
        self.need_ok = self.kr > 0
        # allowed degree counts (pairs usable by the flow)
        br, bc = np.divmod(self.blocked, n_e)
        self.deg_c = np.where(
            self.need_ok,
            int(self.cap_ok.sum()) - np.bincount(br[self.cap_ok[bc]], minlength=n_c),
            0,
        ).astype(np.int64)
        self.deg_e = np.where(
            self.cap_ok,
            int(self.need_ok.sum()) - np.bincount(bc[self.need_ok[br]], minlength=n_e),
            0,
        ).astype(np.int64)
        max_abs = float(abs(self.a).max()) if (self.a.nnz if sp.issparse(self.a) else self.a.size) else 0.0
        self.max_abs = max_abs

    # labels ---------------------------------------------------------------------------------------
    def cname(self, c: int | np.integer) -> str:
        c = int(c)
        return f"candidacy {self.cids[c]}" if self.cids is not None else f"candidacy #{c}"

    def ename(self, e: int | np.integer) -> str:
        e = int(e)
        return f"evaluator {self.eids[e]}" if self.eids is not None else f"evaluator #{e}"

    def clist(self, cs: Sequence[int], limit: int = 8) -> str:
        names = [str(self.cids[c]) if self.cids is not None else f"#{c}" for c in cs[:limit]]
        return ", ".join(names) + (f", … (+{len(cs) - limit})" if len(cs) > limit else "")

    def elist(self, es: Sequence[int], limit: int = 8) -> str:
        names = [str(self.eids[e]) if self.eids is not None else f"#{e}" for e in es[:limit]]
        return ", ".join(names) + (f", … (+{len(es) - limit})" if len(es) > limit else "")

    # data access ----------------------------------------------------------------------------------
    def block(self, start: int, stop: int) -> np.ndarray:
        if sp.issparse(self.a):
            return self.a[start:stop].toarray()
        return np.array(self.a[start:stop], dtype=np.float64)

    def values(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if sp.issparse(self.a):
            return np.asarray(self.a[rows, cols], dtype=np.float64).ravel()
        return self.a[rows, cols]

    def allowed_block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Affinity block and a boolean mask of the arcs the flow may use."""
        vals = self.block(start, stop)
        mask = np.ones(vals.shape, dtype=bool)
        mask[:, ~self.cap_ok] = False
        mask[~self.need_ok[start:stop], :] = False
        lo, hi = np.searchsorted(self.blocked, [start * self.n_e, stop * self.n_e])
        flat = self.blocked[lo:hi] - start * self.n_e
        mask.reshape(-1)[flat] = False
        return vals, mask

    def blocks(self) -> Iterable[tuple[int, int]]:
        for s in range(0, self.n_c, self.block_rows):
            yield s, min(self.n_c, s + self.block_rows)


# ------------------------------------------------------------------------------------------ diagnosis


def _fmt(n: float) -> str:
    return f"{int(n):,}"


def _cheap_diagnoses(p: _Problem) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    n_e = p.n_e
    bad = np.flatnonzero(p.min_load > p.max_load)
    for e in bad:
        out.append(
            Diagnosis(
                "load_bounds",
                f"{p.ename(e)}: minimum load {p.min_load[e]} exceeds maximum load {p.max_load[e]}",
                evaluators=(int(e),),
                details={"min_load": int(p.min_load[e]), "max_load": int(p.max_load[e])},
            )
        )
    both = p.locked_flat[_in_sorted(p.locked_flat, p.forbidden)]
    for f in both:
        c, e = divmod(int(f), n_e)
        out.append(
            Diagnosis(
                "locked_forbidden",
                f"{p.cname(c)}: locked pair with {p.ename(e)} is also forbidden (conflict of interest)",
                candidacies=(c,),
                evaluators=(e,),
            )
        )
    for c in np.flatnonzero(p.locked_c > p.k):
        out.append(
            Diagnosis(
                "locked_exceeds_reviews",
                f"{p.cname(c)}: {p.locked_c[c]} locked evaluators but only {p.k[c]} reviews required",
                candidacies=(int(c),),
                details={"locked": int(p.locked_c[c]), "required": int(p.k[c])},
            )
        )
    for e in np.flatnonzero(p.locked_e > p.max_load):
        out.append(
            Diagnosis(
                "locked_exceeds_max_load",
                f"{p.ename(e)}: {p.locked_e[e]} locked reviews exceed maximum load {p.max_load[e]}",
                evaluators=(int(e),),
                details={"locked": int(p.locked_e[e]), "max_load": int(p.max_load[e])},
            )
        )
    for c in np.flatnonzero(p.deg_c < p.kr):
        avail = int(p.deg_c[c] + p.locked_c[c])
        out.append(
            Diagnosis(
                "too_few_evaluators",
                f"{p.cname(c)}: only {avail} non-conflicted evaluators with free capacity, needs {p.k[c]}",
                candidacies=(int(c),),
                details={"available": avail, "required": int(p.k[c]), "locked": int(p.locked_c[c])},
            )
        )
    for e in np.flatnonzero(p.deg_e < p.minr):
        avail = int(p.deg_e[e] + p.locked_e[e])
        out.append(
            Diagnosis(
                "too_few_candidacies",
                f"{p.ename(e)}: minimum load {p.min_load[e]} but only {avail} non-conflicted candidacies",
                evaluators=(int(e),),
                details={"available": avail, "min_load": int(p.min_load[e])},
            )
        )
    total_k, total_max, total_min = int(p.k.sum()), int(p.max_load.sum()), int(p.min_load.sum())
    if total_k > total_max:
        out.append(
            Diagnosis(
                "total_capacity",
                f"total required reviews {_fmt(total_k)} exceed total max load {_fmt(total_max)}",
                details={"required": total_k, "max_load": total_max},
            )
        )
    if total_min > total_k:
        out.append(
            Diagnosis(
                "total_min_load",
                f"sum of min loads {_fmt(total_min)} exceeds reviews {_fmt(total_k)}",
                details={"min_load": total_min, "required": total_k},
            )
        )
    return out


def _allowed_pairs(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for s, t in p.blocks():
        _, mask = p.allowed_block(s, t)
        r, c = np.nonzero(mask)
        rows.append(r.astype(np.int64) + s)
        cols.append(c.astype(np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _hall_diagnoses(p: _Problem, skip_total: tuple[bool, bool] = (False, False)) -> list[Diagnosis]:
    """Group deficits from the minimum cuts of two max-flows on the relaxed instance.

    Demands are first capped at what each node could get on its own (so that problems already reported
    by the counting checks are not reported again).
    """
    out: list[Diagnosis] = []
    n_c, n_e = p.n_c, p.n_e
    rows, cols = _allowed_pairs(p)
    kr = np.minimum(p.kr, p.deg_c)
    minr = np.minimum(np.minimum(p.minr, p.deg_e), p.maxr)
    s, t = n_c + n_e, n_c + n_e + 1
    cand_all = np.flatnonzero(kr > 0)
    eval_all = np.flatnonzero(minr > 0)

    # (1) candidacies → evaluators with maximum loads
    if kr.sum() > 0:
        mf = max_flow.SimpleMaxFlow()
        cs = np.flatnonzero(kr > 0)
        mf.add_arcs_with_capacity(np.full(len(cs), s), cs, kr[cs])
        mf.add_arcs_with_capacity(rows, n_c + cols, np.ones(len(rows), dtype=np.int64))
        es = np.flatnonzero(p.maxr > 0)
        mf.add_arcs_with_capacity(n_c + es, np.full(len(es), t), p.maxr[es])
        if mf.solve(s, t) == mf.OPTIMAL and mf.optimal_flow() < kr.sum():
            cut = np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)
            a_set = np.sort(cut[cut < n_c])
            b_set = np.sort(cut[(cut >= n_c) & (cut < n_c + n_e)] - n_c)
            need = int(kr[a_set].sum())
            in_a = np.zeros(n_c, bool)
            in_a[a_set] = True
            in_b = np.zeros(n_e, bool)
            in_b[b_set] = True
            cross = int((in_a[rows] & ~in_b[cols]).sum())
            supply = int(p.maxr[b_set].sum()) + cross
            whole = len(a_set) == len(cand_all)
            if not (whole and skip_total[0]):
                out.append(
                    Diagnosis(
                        "hall_candidacies",
                        f"{len(a_set)} candidacies ({p.clist(list(a_set))}) need {_fmt(need)} more reviews "
                        f"but their non-conflicted evaluators can take at most {_fmt(supply)}",
                        candidacies=tuple(int(c) for c in a_set),
                        evaluators=tuple(int(e) for e in b_set),
                        details={"required": need, "capacity": supply, "deficit": need - supply},
                    )
                )
    # (2) evaluators with minimum loads → candidacies
    if minr.sum() > 0:
        mf = max_flow.SimpleMaxFlow()
        es = np.flatnonzero(minr > 0)
        mf.add_arcs_with_capacity(np.full(len(es), s), n_c + es, minr[es])
        mf.add_arcs_with_capacity(n_c + cols, rows, np.ones(len(rows), dtype=np.int64))
        cs = np.flatnonzero(p.kr > 0)
        mf.add_arcs_with_capacity(cs, np.full(len(cs), t), p.kr[cs])
        if mf.solve(s, t) == mf.OPTIMAL and mf.optimal_flow() < minr.sum():
            cut = np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)
            b_set = np.sort(cut[(cut >= n_c) & (cut < n_c + n_e)] - n_c)
            a_set = np.sort(cut[cut < n_c])
            need = int(minr[b_set].sum())
            in_a = np.zeros(n_c, bool)
            in_a[a_set] = True
            in_b = np.zeros(n_e, bool)
            in_b[b_set] = True
            cross = int((in_b[cols] & ~in_a[rows]).sum())
            supply = int(p.kr[a_set].sum()) + cross
            whole = len(b_set) == len(eval_all)
            if not (whole and skip_total[1]):
                out.append(
                    Diagnosis(
                        "hall_evaluators",
                        f"{len(b_set)} evaluators ({p.elist(list(b_set))}) need at least {_fmt(need)} reviews "
                        f"for their minimum loads but their non-conflicted candidacies can give at most "
                        f"{_fmt(supply)}",
                        candidacies=tuple(int(c) for c in a_set),
                        evaluators=tuple(int(e) for e in b_set),
                        details={"required": need, "capacity": supply, "deficit": need - supply},
                    )
                )
    return out


def diagnose_assignment(
    affinity: Any,
    *,
    reviews_per_candidacy: int | Sequence[int] = 3,
    min_load: int | Sequence[int] = 0,
    max_load: int | Sequence[int] | None = None,
    forbidden: Any = None,
    locked: Any = None,
    candidacy_ids: Sequence[Any] | None = None,
    evaluator_ids: Sequence[Any] | None = None,
    block_rows: int = 1024,
) -> list[Diagnosis]:
    """Every infeasibility reason found (empty list: the instance is feasible).

    ``affinity`` is only used for its shape (pass ``np.empty((n_c, n_e))`` if you have none yet).
    """
    p = _Problem(
        affinity,
        reviews_per_candidacy,
        min_load,
        max_load,
        forbidden,
        locked,
        candidacy_ids,
        evaluator_ids,
        block_rows,
    )
    return _diagnose(p)


def _diagnose(p: _Problem) -> list[Diagnosis]:
    out = _cheap_diagnoses(p)
    codes = {d.code for d in out}
    out += _hall_diagnoses(p, ("total_capacity" in codes, "total_min_load" in codes))
    return out


# ------------------------------------------------------------------------------------------- solving


def _select_arcs(p: _Problem, n_row: int, n_col: int) -> np.ndarray:
    """Flat indices of candidate arcs: each candidacy's top n_row, each evaluator's top n_col."""
    n_e = p.n_e
    chunks: list[np.ndarray] = []
    col_val: list[np.ndarray] = []  # per block: (n_e, m) best values of each evaluator within the block
    col_row: list[np.ndarray] = []
    r = min(n_row, n_e)
    for s, t in p.blocks():
        vals, mask = p.allowed_block(s, t)
        vals[~mask] = -np.inf
        if r >= n_e:
            rr, cc = np.nonzero(mask)
            chunks.append((rr.astype(np.int64) + s) * n_e + cc)
        elif r > 0:
            idx = np.argpartition(-vals, r - 1, axis=1)[:, :r]
            ok = np.take_along_axis(mask, idx, axis=1)
            rows = np.broadcast_to(np.arange(s, t, dtype=np.int64)[:, None], idx.shape)
            chunks.append(rows[ok] * n_e + idx[ok])
        if n_col > 0:
            vt = np.ascontiguousarray(vals.T)  # (n_e, block)
            m = min(n_col, vt.shape[1])
            if m < vt.shape[1]:
                idx = np.argpartition(-vt, m - 1, axis=1)[:, :m]
            else:
                idx = np.broadcast_to(np.arange(vt.shape[1])[None, :], vt.shape)
            col_val.append(np.take_along_axis(vt, idx, axis=1))
            col_row.append(idx.astype(np.int64) + s)
    if col_val:
        cv = np.hstack(col_val)
        cr = np.hstack(col_row)
        m = min(n_col, cv.shape[1])
        if m < cv.shape[1]:
            idx = np.argpartition(-cv, m - 1, axis=1)[:, :m]
            cv = np.take_along_axis(cv, idx, axis=1)
            cr = np.take_along_axis(cr, idx, axis=1)
        ok = np.isfinite(cv)
        cols = np.broadcast_to(np.arange(n_e, dtype=np.int64)[:, None], cv.shape)
        chunks.append(cr[ok] * n_e + cols[ok])
    if not chunks:
        return np.zeros(0, dtype=np.int64)
    return _sorted_unique(np.concatenate(chunks))


def _solve_flow(p: _Problem, arcs: np.ndarray, scale: float) -> tuple[bool, np.ndarray, np.ndarray]:
    """Min-cost flow on the given arcs. Returns (feasible, chosen mask over arcs, integer arc costs)."""
    n_c, n_e = p.n_c, p.n_e
    rows, cols = np.divmod(arcs, n_e)
    cost = -np.rint(p.values(rows, cols) * scale).astype(np.int64)
    t = n_c + n_e
    smcf = min_cost_flow.SimpleMinCostFlow()
    arc_ids = smcf.add_arcs_with_capacity_and_unit_cost(
        rows, n_c + cols, np.ones(len(arcs), dtype=np.int64), cost
    )
    es = np.flatnonzero(p.maxr > p.minr)
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_c + es,
        np.full(len(es), t, dtype=np.int64),
        (p.maxr - p.minr)[es],
        np.zeros(len(es), dtype=np.int64),
    )
    supplies = np.concatenate([p.kr, -p.minr, [-(int(p.kr.sum()) - int(p.minr.sum()))]]).astype(np.int64)
    smcf.set_nodes_supplies(np.arange(t + 1, dtype=np.int64), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        if status in (smcf.INFEASIBLE, smcf.UNBALANCED):
            return False, np.zeros(len(arcs), bool), cost
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(arc_ids))
    return True, flows > 0, cost


def _potentials(
    p: _Problem, arcs: np.ndarray, chosen: np.ndarray, cost: np.ndarray, max_iter: int
) -> tuple[np.ndarray, bool]:
    """Shortest-path distances in the residual graph of an optimal flow (valid node potentials)."""
    n_c, n_e = p.n_c, p.n_e
    t = n_c + n_e
    rows, cols = np.divmod(arcs, n_e)
    loads = np.bincount(cols[chosen], minlength=n_e)
    can_up = loads < p.maxr
    can_down = loads > p.minr
    e = np.arange(n_e, dtype=np.int64)
    tail = np.concatenate(
        [rows[~chosen], n_c + cols[chosen], n_c + e[can_up], np.full(int(can_down.sum()), t)]
    )
    head = np.concatenate(
        [n_c + cols[~chosen], rows[chosen], np.full(int(can_up.sum()), t), n_c + e[can_down]]
    )
    w = np.concatenate([cost[~chosen], -cost[chosen], np.zeros(int(can_up.sum() + can_down.sum()), np.int64)])
    order = np.argsort(head, kind="stable")
    tail, head, w = tail[order], head[order], w[order]
    heads, starts = np.unique(head, return_index=True)
    d = np.zeros(t + 1, dtype=np.int64)
    if len(w) == 0:
        return d, True
    for _ in range(max_iter):
        m = np.minimum.reduceat(d[tail] + w, starts)
        improve = m < d[heads]
        if not improve.any():
            return d, True
        d[heads[improve]] = m[improve]
    return d, False


def _top_sums(v: np.ndarray, kb: np.ndarray) -> float:
    """Σ over rows of the sum of the kb[row] largest entries of v (−inf entries count as absent)."""
    kmax = int(kb.max()) if len(kb) else 0
    if kmax <= 0:
        return 0.0
    kmax = min(kmax, v.shape[1])
    top = -np.partition(-v, kmax - 1, axis=1)[:, :kmax]
    top.sort(axis=1)
    top = top[:, ::-1]
    keep = (np.arange(kmax)[None, :] < kb[:, None]) & np.isfinite(top)
    return float(top[keep].sum())


def _price_and_bound(
    p: _Problem,
    arcs: np.ndarray,
    price: np.ndarray,
    row_pot: np.ndarray | None,
    scale: float,
    want_simple: bool,
) -> tuple[float, float, np.ndarray]:
    """Lagrangian bound for evaluator prices ``price``, the simple bound (price 0) if wanted, and — when
    row potentials are given — the arcs outside ``arcs`` whose reduced cost is negative."""
    n_e = p.n_e
    bound = 0.0
    simple = 0.0
    new: list[np.ndarray] = []
    for s, stop in p.blocks():
        vals, mask = p.allowed_block(s, stop)
        kb = p.kr[s:stop]
        v = vals - price[None, :]
        v[~mask] = -np.inf
        bound += _top_sums(v, kb)
        if want_simple:
            v0 = np.where(mask, vals, -np.inf)
            simple += _top_sums(v0, kb)
        if row_pot is not None:
            # reduced cost −round(a·scale) + d_c − d_e < 0  ⇔  (a − p_e)·scale > d_c − d_t + 1/2
            thr = row_pot[s:stop, None] + 0.5
            viol = v * scale > thr
            if viol.any():
                rr, cc = np.nonzero(viol)
                flat = (rr.astype(np.int64) + s) * n_e + cc
                new.append(flat[~_in_sorted(flat, arcs)])
    bound += float((p.maxr * np.maximum(price, 0.0) - p.minr * np.maximum(-price, 0.0)).sum())
    viol_arcs = _sorted_unique(np.concatenate(new)) if new else np.zeros(0, dtype=np.int64)
    return bound, simple, viol_arcs


def lagrangian_bound(
    affinity: Any,
    evaluator_prices: np.ndarray,
    *,
    reviews_per_candidacy: int | Sequence[int] = 3,
    min_load: int | Sequence[int] = 0,
    max_load: int | Sequence[int] | None = None,
    forbidden: Any = None,
    locked: Any = None,
) -> float:
    """Upper bound on the optimal total affinity for *any* evaluator prices (0 → the simple bound)."""
    p = _Problem(affinity, reviews_per_candidacy, min_load, max_load, forbidden, locked, None, None, 1024)
    price = np.asarray(evaluator_prices, dtype=np.float64)
    bound, _, _ = _price_and_bound(p, np.zeros(0, np.int64), price, None, 1.0, False)
    return bound + float(p.values(p.locked_rows, p.locked_cols).sum())


def assign(
    affinity: np.ndarray | sp.spmatrix,
    *,
    reviews_per_candidacy: int | Sequence[int] = 3,
    min_load: int | Sequence[int] = 0,
    max_load: int | Sequence[int] | None = None,
    forbidden: Any = None,
    locked: Any = None,
    candidacy_ids: Sequence[Any] | None = None,
    evaluator_ids: Sequence[Any] | None = None,
    candidate_arcs: int | None = None,
    evaluator_arcs: int | None = None,
    full_arcs_limit: int = 2_000_000,
    cost_scale: float = 1_000_000.0,
    max_rounds: int = 20,
    max_bellman_ford_iterations: int = 5_000,
    block_rows: int = 1024,
) -> AssignmentResult:
    """Optimal assignment of ``reviews_per_candidacy`` evaluators to every candidacy.

    Parameters
    ----------
    affinity:
        (n_candidacies, n_evaluators) dense array or scipy sparse matrix (missing entries = 0).
    reviews_per_candidacy, min_load, max_load:
        scalars or per-item sequences; ``max_load=None`` means unlimited.
    forbidden, locked:
        iterables of ``(candidacy_index, evaluator_index)`` pairs, or boolean / sparse matrices.
    candidacy_ids, evaluator_ids:
        labels used only in diagnosis messages.
    candidate_arcs, evaluator_arcs:
        per-candidacy top-N and per-evaluator top-M candidate arcs; by default all arcs are used when there
        are at most ``full_arcs_limit`` allowed pairs, else N = max(10·k, 30) and M = max(2·min_load, 20).

    Raises :class:`AssignmentInfeasible` with diagnoses when no assignment exists.
    """
    t0 = time.perf_counter()
    p = _Problem(
        affinity,
        reviews_per_candidacy,
        min_load,
        max_load,
        forbidden,
        locked,
        candidacy_ids,
        evaluator_ids,
        block_rows,
    )
    diags = _cheap_diagnoses(p)
    if diags:
        raise AssignmentInfeasible(diags)
    scale = float(cost_scale) / max(1.0, p.max_abs)
    n_allowed = int(p.deg_c.sum())
    kmax = int(p.kr.max()) if p.n_c else 0
    if candidate_arcs is None and n_allowed <= full_arcs_limit:
        n_row, n_col = p.n_e, 0
    else:
        n_row = candidate_arcs if candidate_arcs is not None else max(10 * kmax, 30)
        n_col = evaluator_arcs if evaluator_arcs is not None else max(2 * int(p.minr.max(initial=0)), 20)
    restricted = n_row < p.n_e
    locked_sum = float(p.values(p.locked_rows, p.locked_cols).sum()) if len(p.locked_flat) else 0.0

    arcs = _select_arcs(p, n_row, n_col)
    rounds = 0
    diagnosed = False
    status = "feasible"
    while True:
        rounds += 1
        feasible, chosen, cost = _solve_flow(p, arcs, scale)
        if feasible:
            break
        if not restricted:
            diags = _diagnose(p)
            raise AssignmentInfeasible(
                diags
                or [
                    Diagnosis(
                        "infeasible", "no assignment satisfies all constraints (no specific cause found)"
                    )
                ]
            )
        if rounds >= 2 and not diagnosed:
            diagnosed = True
            diags = _diagnose(p)
            if diags:
                raise AssignmentInfeasible(diags)
        n_row, n_col = n_row * 4, n_col * 4
        restricted = n_row < p.n_e
        arcs = _sorted_unique(np.concatenate([arcs, _select_arcs(p, n_row, n_col)]))

    # column generation: add arcs with negative reduced cost until none is left
    simple: float | None = None
    t_node = p.n_c + p.n_e
    while True:
        d, converged = _potentials(p, arcs, chosen, cost, max_bellman_ford_iterations)
        if converged:
            price = (d[t_node] - d[p.n_c : t_node]).astype(np.float64) / scale
            row_pot = (d[: p.n_c] - d[t_node]).astype(np.float64)
        else:  # fall back to the simple (still valid) bound
            price, row_pot = np.zeros(p.n_e), None
        bound, simple_now, viol = _price_and_bound(p, arcs, price, row_pot, scale, simple is None)
        if simple is None:
            simple = simple_now
        if not converged:
            break
        if len(viol) == 0:
            status = "optimal"
            break
        if rounds >= max_rounds:
            break
        arcs = _sorted_unique(np.concatenate([arcs, viol]))
        rounds += 1
        feasible, chosen, cost = _solve_flow(p, arcs, scale)
        if not feasible:  # cannot happen: adding arcs keeps the previous flow feasible
            raise RuntimeError("restricted flow became infeasible after adding arcs")

    rows, cols = np.divmod(arcs[chosen], p.n_e)
    vals = p.values(rows, cols)
    all_rows = np.concatenate([rows, p.locked_rows])
    all_cols = np.concatenate([cols, p.locked_cols])
    all_vals = np.concatenate([vals, p.values(p.locked_rows, p.locked_cols)]) if len(p.locked_flat) else vals
    order = np.lexsort((all_cols, all_rows))
    pairs = [AssignedPair(int(all_rows[i]), int(all_cols[i]), float(all_vals[i])) for i in order]
    objective = float(all_vals.sum())
    bound_total = bound + locked_sum
    if status == "optimal":
        # the flow is optimal for integer costs; the real-valued optimum can only differ by rounding
        bound_total = max(bound_total, objective)
    abs_gap = max(0.0, bound_total - objective)
    return AssignmentResult(
        pairs=pairs,
        locked=frozenset((int(r), int(c)) for r, c in zip(p.locked_rows, p.locked_cols, strict=True)),
        objective=objective,
        bound=bound_total,
        gap=abs_gap / max(abs(bound_total), 1e-12),
        abs_gap=abs_gap,
        simple_bound=(simple or 0.0) + locked_sum,
        seconds=time.perf_counter() - t0,
        status=status,
        loads=np.bincount(all_cols, minlength=p.n_e).astype(np.int64),
        n_arcs=len(arcs),
        rounds=rounds,
        restricted=restricted,
    )
