"""The min-cost flow over candidate arcs, its node potentials, and the Lagrangian bound that proves (or
measures the gap to) optimality for the full problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from nic1000.algorithms.assignment.problem import AssignmentProblem, in_sorted, sorted_unique


def select_arcs(p: AssignmentProblem, n_row: int, n_col: int) -> np.ndarray:
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
    return sorted_unique(np.concatenate(chunks))


def solve_flow(p: AssignmentProblem, arcs: np.ndarray, scale: float) -> tuple[bool, np.ndarray, np.ndarray]:
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


def potentials(
    p: AssignmentProblem, arcs: np.ndarray, chosen: np.ndarray, cost: np.ndarray, max_iter: int
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


def price_and_bound(
    p: AssignmentProblem,
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
                new.append(flat[~in_sorted(flat, arcs)])
    bound += float((p.maxr * np.maximum(price, 0.0) - p.minr * np.maximum(-price, 0.0)).sum())
    viol_arcs = sorted_unique(np.concatenate(new)) if new else np.zeros(0, dtype=np.int64)
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
    p = AssignmentProblem(
        affinity, reviews_per_candidacy, min_load, max_load, forbidden, locked, None, None, 1024
    )
    price = np.asarray(evaluator_prices, dtype=np.float64)
    bound, _, _ = price_and_bound(p, np.zeros(0, np.int64), price, None, 1.0, False)
    return bound + float(p.values(p.locked_rows, p.locked_cols).sum())
