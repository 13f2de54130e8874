"""``assign``: restricted flow, widened while infeasible, then column generation until no left-out arc
has a negative reduced cost."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from nic1000.algorithms.assignment.diagnosis import cheap_diagnoses, diagnose
from nic1000.algorithms.assignment.flow import potentials, price_and_bound, select_arcs, solve_flow
from nic1000.algorithms.assignment.problem import AssignmentProblem, sorted_unique
from nic1000.algorithms.assignment.types import (
    AssignedPair,
    AssignmentInfeasible,
    AssignmentResult,
    Diagnosis,
)


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
    p = AssignmentProblem(
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
    diags = cheap_diagnoses(p)
    if diags:
        raise AssignmentInfeasible(diags)
    scale = float(cost_scale) / max(1.0, p.max_abs)
    n_row, n_col = _arc_counts(p, candidate_arcs, evaluator_arcs, full_arcs_limit)
    flow = _first_feasible_flow(p, n_row, n_col, scale)
    bound, simple, status = _column_generation(p, flow, scale, max_rounds, max_bellman_ford_iterations)
    return _result(p, flow, bound, simple, status, t0)


@dataclass
class _Flow:
    """The current restricted flow: its candidate arcs, which of them carry a review, their integer costs."""

    arcs: np.ndarray
    chosen: np.ndarray
    cost: np.ndarray
    rounds: int  # min-cost-flow solves so far
    restricted: bool  # fewer arcs than all allowed pairs


def _arc_counts(
    p: AssignmentProblem, candidate_arcs: int | None, evaluator_arcs: int | None, full_arcs_limit: int
) -> tuple[int, int]:
    """Top-N arcs per candidacy and top-M per evaluator: all arcs for instances up to ``full_arcs_limit``
    allowed pairs, else N = max(10·k, 30), M = max(2·min_load, 20) unless given."""
    if candidate_arcs is None and int(p.deg_c.sum()) <= full_arcs_limit:
        return p.n_e, 0
    kmax = int(p.kr.max()) if p.n_c else 0
    n_row = candidate_arcs if candidate_arcs is not None else max(10 * kmax, 30)
    n_col = evaluator_arcs if evaluator_arcs is not None else max(2 * int(p.minr.max(initial=0)), 20)
    return n_row, n_col


def _first_feasible_flow(p: AssignmentProblem, n_row: int, n_col: int, scale: float) -> _Flow:
    """Solve on the candidate arcs, widening them ×4 while the restricted flow is infeasible; diagnose (and
    raise) once all arcs are in, or earlier when the second failure has a named cause."""
    restricted = n_row < p.n_e
    arcs = select_arcs(p, n_row, n_col)
    rounds = 0
    diagnosed = False
    while True:
        rounds += 1
        feasible, chosen, cost = solve_flow(p, arcs, scale)
        if feasible:
            return _Flow(arcs, chosen, cost, rounds, restricted)
        if not restricted:
            raise AssignmentInfeasible(
                diagnose(p)
                or [
                    Diagnosis(
                        "infeasible", "no assignment satisfies all constraints (no specific cause found)"
                    )
                ]
            )
        if rounds >= 2 and not diagnosed:
            diagnosed = True
            diags = diagnose(p)
            if diags:
                raise AssignmentInfeasible(diags)
        n_row, n_col = n_row * 4, n_col * 4
        restricted = n_row < p.n_e
        arcs = sorted_unique(np.concatenate([arcs, select_arcs(p, n_row, n_col)]))


def _column_generation(
    p: AssignmentProblem, flow: _Flow, scale: float, max_rounds: int, max_bellman_ford_iterations: int
) -> tuple[float, float, str]:
    """Add the left-out arcs with a negative reduced cost and re-solve until none is left (then the flow is
    optimal for the full problem). Returns (Lagrangian bound, simple bound, status)."""
    simple: float | None = None
    t_node = p.n_c + p.n_e
    while True:
        d, converged = potentials(p, flow.arcs, flow.chosen, flow.cost, max_bellman_ford_iterations)
        if converged:
            price = (d[t_node] - d[p.n_c : t_node]).astype(np.float64) / scale
            row_pot = (d[: p.n_c] - d[t_node]).astype(np.float64)
        else:  # fall back to the simple (still valid) bound
            price, row_pot = np.zeros(p.n_e), None
        bound, simple_now, viol = price_and_bound(p, flow.arcs, price, row_pot, scale, simple is None)
        if simple is None:
            simple = simple_now
        if not converged:
            return bound, simple, "feasible"
        if len(viol) == 0:
            return bound, simple, "optimal"
        if flow.rounds >= max_rounds:
            return bound, simple, "feasible"
        flow.arcs = sorted_unique(np.concatenate([flow.arcs, viol]))
        flow.rounds += 1
        feasible, flow.chosen, flow.cost = solve_flow(p, flow.arcs, scale)
        if not feasible:  # cannot happen: adding arcs keeps the previous flow feasible
            raise RuntimeError("restricted flow became infeasible after adding arcs")


def _result(
    p: AssignmentProblem, flow: _Flow, bound: float, simple: float, status: str, t0: float
) -> AssignmentResult:
    """Pairs (locked ones included) sorted by (candidacy, evaluator), objective, bounds and gap."""
    locked_sum = float(p.values(p.locked_rows, p.locked_cols).sum()) if len(p.locked_flat) else 0.0
    rows, cols = np.divmod(flow.arcs[flow.chosen], p.n_e)
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
        simple_bound=simple + locked_sum,
        seconds=time.perf_counter() - t0,
        status=status,
        loads=np.bincount(all_cols, minlength=p.n_e).astype(np.int64),
        n_arcs=len(flow.arcs),
        rounds=flow.rounds,
        restricted=flow.restricted,
    )
