"""Solving: column generation for the LP bound, reduced-score fixing with an exact MILP on the rest, then
the lexicographic tie-break among the score-optimal selections (see the package docstring)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from nic1000.algorithms.selection.cells import Cells, canonical_within_cells, rank_within
from nic1000.algorithms.selection.diagnosis import diagnose, named_diagnoses
from nic1000.algorithms.selection.explain import explain
from nic1000.algorithms.selection.model import SelectionModel
from nic1000.algorithms.selection.types import (
    GroupQuota,
    RankedCandidacy,
    SelectionCandidate,
    SelectionInfeasible,
    SelectionResult,
)


def _row_duals(m: SelectionModel, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Row duals π of the LP over the given free columns (reduced scores d = S − Aᵀπ)."""
    a = m.A[:, cols].tocsr()
    c = -m.S[cols].astype(np.float64)
    eq = np.flatnonzero(lo == hi)
    up = np.flatnonzero((lo != hi) & np.isfinite(hi))
    dn = np.flatnonzero((lo != hi) & (lo > 0))
    a_ub = sp.vstack([a[up], -a[dn]]).tocsr() if len(up) + len(dn) else None
    b_ub = np.concatenate([hi[up], -lo[dn]]) if a_ub is not None else None
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a[eq] if len(eq) else None,
        b_eq=lo[eq] if len(eq) else None,
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"LP relaxation failed: {res.message}")
    pi = np.zeros(len(m.rows))
    if a_ub is not None:
        marg = res.ineqlin.marginals
        pi[up] -= marg[: len(up)]
        pi[dn] += marg[len(up) :]
    if len(eq):
        pi[eq] -= res.eqlin.marginals
    return pi


def _lagrangian(
    m: SelectionModel, pi: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[float, np.ndarray]:
    """Valid upper bound on Σ S over free candidacies for any π (sanitised), and reduced scores d."""
    pi = pi.copy()
    pi[~np.isfinite(hi)] = np.minimum(pi[~np.isfinite(hi)], 0.0)
    d = m.S.astype(np.float64) - np.asarray(m.AT @ pi).ravel()
    rows_term = float(np.where(pi > 0, pi * np.where(np.isfinite(hi), hi, 0.0), pi * lo).sum())
    bound = float(np.maximum(d[m.free], 0.0).sum()) + rows_term
    return bound, d


def _sub_milp(
    m: SelectionModel,
    free_idx: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    objective: np.ndarray,
    time_limit: float,
    extra: tuple[np.ndarray, float] | None = None,
) -> Any:
    """HiGHS MILP over ``free_idx`` maximising ``objective`` within the row bounds (and ``extra``: one more
    row ``extra[0] · x ≥ extra[1]``); the scipy result, status 0 optimal, 1 time limit, 2 infeasible."""
    a = m.A[:, free_idx]
    cons = [LinearConstraint(a, lo, hi)]
    if extra is not None:
        cons.append(LinearConstraint(extra[0][None, :], extra[1], np.inf))
    return milp(
        -objective.astype(np.float64),
        integrality=np.ones(len(free_idx)),
        bounds=Bounds(0, 1),
        constraints=cons,
        options={"mip_rel_gap": 0.0, "time_limit": max(time_limit, 1.0)},
    )


def select(
    candidates: Sequence[SelectionCandidate],
    total: int | tuple[int | None, int | None],
    quotas: Sequence[GroupQuota] = (),
    *,
    score_decimals: int = 4,
    explain_window: int = 20,
    time_limit: float = 60.0,
    tie_break: bool = True,
) -> SelectionResult:
    """Optimal quota-constrained selection; raises :class:`SelectionInfeasible` with named diagnoses."""
    t0 = time.perf_counter()

    def time_left() -> float:
        return time_limit - (time.perf_counter() - t0)

    m = SelectionModel(candidates, total, quotas, score_decimals)
    cells, cell_counts = _feasible_cells(m, time_limit)
    forced_counts = m.counts(m.forced_in)
    lo = np.maximum(m.row_lo - forced_counts, 0.0)  # what the free candidacies must still fill
    hi = m.row_hi - forced_counts
    free_all = np.flatnonzero(m.free)
    info: dict[str, Any] = {"lp_rounds": 0}
    cols = _initial_columns(m, cells, cell_counts, free_all)
    bound_free, d = _lp_bound(m, cols, lo, hi, free_all, info)
    lp_bound = bound_free + int(m.S[m.forced_in].sum())
    x = m.forced_in.astype(np.float64)
    status, proven, mip_gap = "optimal", True, 0.0
    if len(free_all):
        exact = _fix_and_solve(m, d, lo, hi, bound_free, free_all, time_left, info)
        x[exact.one] = 1.0
        x[exact.var] = exact.solution
        if exact.timed_out:
            status, proven, mip_gap = "time_limit", False, exact.gap
        if tie_break and status == "optimal" and len(exact.var):
            best = _tie_break(m, exact, lo, hi, time_left, info)
            x = x if best is None else best
    chosen = canonical_within_cells(m, cells, x > 0.5)
    return _result(m, cells, chosen, lp_bound, (status, proven, mip_gap), explain_window, info, t0)


def _feasible_cells(m: SelectionModel, time_limit: float) -> tuple[Cells, np.ndarray]:
    """The cells and a feasible count per cell; raises :class:`SelectionInfeasible` with the diagnoses."""
    diags = named_diagnoses(m)
    if diags:
        raise SelectionInfeasible(diags)
    cells = Cells(m)
    counts = cells.solve(m, None, time_limit)
    if counts is None:
        raise SelectionInfeasible(diagnose(m, cells, time_limit))
    return cells, counts


def _initial_columns(
    m: SelectionModel, cells: Cells, cell_counts: np.ndarray, free_all: np.ndarray
) -> np.ndarray:
    """The first LP columns: a feasible set (top of each cell), the global top and each group's top."""
    init = np.zeros(m.n, dtype=bool)
    need = np.round(cell_counts - cells.lower).astype(np.int64)
    free_cells = cells.cell[free_all]
    if len(free_all):
        # position of each free candidacy within its cell (merit order is the array order)
        order_in_cell = rank_within(free_cells)
        init[free_all[order_in_cell < need[free_cells]]] = True
        init[free_all[: int(min(len(free_all), 2 * max(m.total_hi, 1)))]] = True
        for r in range(1, len(m.rows)):
            fam = m.rows[r].family or ""
            members = free_all[m.item_row[fam][free_all] == r]
            init[members[: int(2 * m.rows[r].lo + 10)]] = True
    return np.flatnonzero(init)


def _lp_bound(
    m: SelectionModel,
    cols: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    free_all: np.ndarray,
    info: dict[str, Any],
) -> tuple[float, np.ndarray]:
    """Column generation: add the free candidacies with a positive reduced score (best 5,000 a round) until
    none is left. Returns the upper bound on the free score and the reduced scores ``d``."""
    d = m.S.astype(np.float64)
    bound_free = 0.0
    if not len(free_all):
        return bound_free, d
    tol = 1e-7 * max(1.0, float(np.abs(m.S).max()))
    for _ in range(100):
        info["lp_rounds"] += 1
        pi = _row_duals(m, cols, lo, hi)
        bound_free, d = _lagrangian(m, pi, lo, hi)
        in_cols = np.zeros(m.n, dtype=bool)
        in_cols[cols] = True
        new = np.flatnonzero(m.free & ~in_cols & (d > tol))
        if len(new) == 0:
            break
        if len(new) > 5000:
            new = new[np.argsort(-d[new], kind="stable")[:5000]]
        cols = np.sort(np.concatenate([cols, new]))
    return bound_free, d


class _Fixing(NamedTuple):
    """One round of reduced-score fixing: ``one`` fixed in, the MILP's answer over ``var``."""

    ok: bool  # a selection was found with these fixings
    timed_out: bool
    gap: float
    one: np.ndarray
    var: np.ndarray
    solution: np.ndarray  # 0/1 over var
    score: int  # integer free score of the selection found


def _fix(
    m: SelectionModel,
    d: np.ndarray,
    free_all: np.ndarray,
    delta: float,
    lo: np.ndarray,
    hi: np.ndarray,
    time_left: Callable[[], float],
) -> _Fixing:
    """Fix in the free candidacies whose reduced score exceeds ``delta``, out those below −``delta``, and
    solve the MILP over the rest."""
    df = d[free_all]
    one = free_all[df > delta]
    var = free_all[np.abs(df) <= delta]
    fixed_one = np.zeros(m.n, dtype=bool)
    fixed_one[one] = True
    cnt = m.counts(fixed_one)
    lo_v, hi_v = lo - cnt, hi - cnt
    base = int(m.S[one].sum())
    fixing = _Fixing(False, False, 0.0, one, var, np.zeros(len(var)), base)
    if (hi_v < -0.5).any():  # the fixings alone break a maximum
        return fixing
    if len(var) == 0:
        return fixing._replace(ok=bool((lo_v < 0.5).all()))
    res = _sub_milp(m, var, lo_v, hi_v, m.S[var], time_left())
    if res.x is not None and res.status in (0, 1):
        solution = np.round(res.x)
        return fixing._replace(
            ok=True,
            solution=solution,
            score=base + int(np.rint(m.S[var] @ solution)),
            timed_out=res.status == 1,
            gap=float(res.mip_gap or 0.0),
        )
    if res.status != 2:
        raise RuntimeError(f"selection MILP failed: {res.message}")
    return fixing


def _fix_and_solve(
    m: SelectionModel,
    d: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    bound_free: float,
    free_all: np.ndarray,
    time_left: Callable[[], float],
    info: dict[str, Any],
) -> _Fixing:
    """Widen the MILP (``delta``) until its selection is within ``delta`` of the LP bound: then no fixed
    candidacy can be wrong, so the selection is optimal for the full problem."""
    delta = 2.0
    d_max = float(np.abs(d[free_all]).max()) + 1.0
    while True:
        fixing = _fix(m, d, free_all, delta, lo, hi, time_left)
        if fixing.ok and (fixing.timed_out or bound_free - fixing.score <= delta + 1e-6):
            break
        if not np.isfinite(delta):
            raise RuntimeError("selection MILP infeasible although the quota model is feasible")
        delta = max(bound_free - fixing.score + 1.0, 2.0 * delta) if fixing.ok else 4.0 * delta
        if delta > d_max:
            delta = np.inf
    info["delta"] = delta
    info["free_variables"] = len(fixing.var)
    return fixing


def _tie_break(
    m: SelectionModel,
    exact: _Fixing,
    lo: np.ndarray,
    hi: np.ndarray,
    time_left: Callable[[], float],
    info: dict[str, Any],
) -> np.ndarray | None:
    """Among the selections with the optimal score, the one whose members rank best in merit order
    (maximises Σ (n − merit position) with the score held); None keeps the first answer."""
    n, var = m.n, exact.var
    w = (n - np.arange(n)).astype(np.float64)
    fixed_one = np.zeros(n, dtype=bool)
    fixed_one[exact.one] = True
    cnt = m.counts(fixed_one)
    target = exact.score - int(m.S[fixed_one].sum())
    res = _sub_milp(
        m, var, lo - cnt, hi - cnt, w[var], time_left(), (m.S[var].astype(np.float64), target - 0.5)
    )
    if res.x is None or res.status not in (0, 1):
        info["tie_break_status"] = "failed"
        return None
    solution = np.round(res.x)
    if int(np.rint(m.S[var] @ solution)) != target:
        info["tie_break_status"] = "rejected (score changed)"
        return None
    x = m.forced_in.astype(np.float64)
    x[fixed_one] = 1.0
    x[var] = solution
    info["tie_break_status"] = "optimal" if res.status == 0 else "time_limit"
    return x


def _result(
    m: SelectionModel,
    cells: Cells,
    chosen: np.ndarray,
    lp_bound: float,
    outcome: tuple[str, bool, float],
    explain_window: int,
    info: dict[str, Any],
    t0: float,
) -> SelectionResult:
    """The result in merit order, with counts per group, the binding bounds and the explanations."""
    status, proven, mip_gap = outcome
    z = int(m.S[chosen].sum())
    bound_scaled = max(lp_bound, float(z)) if proven else lp_bound
    counts = m.counts(chosen)
    result_gap = 0.0 if proven else max(mip_gap, (bound_scaled - z) / max(abs(bound_scaled), 1e-12))
    explanations, cutoff = explain(m, chosen, counts, explain_window)
    info.update({"lp_bound_scaled": lp_bound, "objective_scaled": z, "cells": cells.n})
    return SelectionResult(
        selected=[m.ids[i] for i in np.flatnonzero(chosen)],
        ranking=_ranking(m, chosen),
        explanations=explanations,
        status=status,
        proven_optimal=proven,
        mip_gap=result_gap,
        objective=float(m.score[chosen].sum()),
        bound=bound_scaled / 10.0**m.decimals,
        cutoff_score=cutoff,
        group_counts=_group_counts(m, chosen),
        binding=_binding(m, counts),
        seconds=time.perf_counter() - t0,
        solver=info,
    )


def _ranking(m: SelectionModel, chosen: np.ndarray) -> list[RankedCandidacy]:
    """Every candidacy in merit order with its selection rank."""
    sel_rank = np.where(chosen, np.cumsum(chosen), 0).tolist()
    return list(
        map(
            RankedCandidacy._make,
            zip(
                m.ids,
                m.score.tolist(),
                range(1, m.n + 1),
                chosen.tolist(),
                [r or None for r in sel_rank],
                m.eligible.tolist(),
                [c.forced for c in m.candidates],
                strict=True,
            ),
        )
    )


def _group_counts(m: SelectionModel, chosen: np.ndarray) -> dict[tuple[str, str], int]:
    """Selected count per (family, group), groups without a quota included."""
    group_counts: dict[tuple[str, str], int] = {}
    for f in m.families:
        gi = m.g[f]
        bc = np.bincount(gi[chosen & (gi >= 0)], minlength=len(m.group_labels[f]))
        for j, lab in enumerate(m.group_labels[f]):
            group_counts[(f, lab)] = int(bc[j])
    return group_counts


def _binding(m: SelectionModel, counts: np.ndarray) -> list[str]:
    """Keys of the bounds the selection sits on."""
    binding: list[str] = []
    for r in range(len(m.rows)):
        if m.row_lo[r] > 0 and counts[r] == m.row_lo[r]:
            binding.append(m.bound_key(r, "min"))
        if np.isfinite(m.row_hi[r]) and counts[r] == m.row_hi[r]:
            binding.append(m.bound_key(r, "max"))
    return binding
