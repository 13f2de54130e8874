"""Randomised assignment with a cap on every evaluator–candidacy probability (pure: numpy / OR-Tools).

Jecmen, Zhang, Liu, Shah, Conitzer, Fang, "Mitigating Manipulation in Peer Review via Randomized Reviewer
Assignments", NeurIPS 2020: choose marginal probabilities ``p_ce`` maximising the expected affinity

    max Σ p_ce·A_ce   s.t.  Σ_e p_ce = k_c,   min_e ≤ Σ_c p_ce ≤ max_e,   0 ≤ p_ce ≤ q,   p_ce = 0 if conflicted,

then draw one integral assignment whose marginals are exactly ``p``. No evaluator can then count on reviewing a
company it lobbied for: it gets any one company with probability at most ``q``.

The LP is a flow problem. With ``q = m / D`` (a fraction with a small denominator, ``max_denominator``) and
everything scaled by ``D`` it becomes an integral min-cost flow (candidacy supply ``k·D``, arc capacity ``m``,
evaluator capacity ``max·D``, demand ``min·D``), solved exactly by OR-Tools; the constraint matrix is totally
unimodular, so the integral flow ``f`` is an optimal LP solution with ``p = f / D``.

Sampling is bipartite dependent rounding (Gandhi, Khuller, Parthasarathy, Srinivasan, J. ACM 2006), the
sampler Jecmen et al. use: while some ``p_ce`` is fractional, take a cycle of fractional edges, or else a
maximal path (its ends are evaluators whose expected load is fractional), split it into two alternating sets
and move ``p`` by ``+α/−α`` or ``−β/+β`` with probabilities ``β/(α+β)`` and ``α/(α+β)``. Each step keeps every
expectation, keeps every candidacy's sum exactly ``k`` and each evaluator's sum between the floor and the ceiling
of its expected load, and makes at least one edge integral. All arithmetic is in integer units of ``1/D``, so
the marginals are exact, with no rounding drift. Locked pairs (submitted reviews, manual pairs) stay with
probability 1; they reduce ``k`` and the loads first.

The deterministic optimum (``assign``) is solved too: its objective, the ratio of the expected affinity to it
(the price of randomisation), and the diagnoses of an infeasible instance come from there. A cap too small for
the loads is diagnosed in words (``q·evaluators < k`` for a candidacy, or a group of candidacies whose
evaluators cannot supply ``k`` each at probability ``q``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from nic1000.algorithms.assignment.problem import AssignmentProblem
from nic1000.algorithms.assignment.solve import assign
from nic1000.algorithms.assignment.types import AssignmentInfeasible, AssignmentResult, Diagnosis


@dataclass
class RandomizedPlan:
    """The optimal marginal probabilities: pair ``i`` is (``rows[i]``, ``cols[i]``) with probability
    ``units[i] / denominator`` (locked pairs included, with ``units == denominator``)."""

    n_c: int
    n_e: int
    rows: np.ndarray
    cols: np.ndarray
    units: np.ndarray  # int64, 1..denominator
    denominator: int
    q: Fraction  # the cap used (the requested one as a fraction with a small denominator)
    expected_affinity: float
    optimum: float  # the deterministic optimum of the same instance
    seconds: float

    @property
    def ratio(self) -> float:
        """Expected affinity over the deterministic optimum (1.0 when both are 0)."""
        return self.expected_affinity / self.optimum if self.optimum > 0 else 1.0

    def probabilities(self) -> np.ndarray:
        """Dense (n_c, n_e) matrix of the marginals (for tests and small instances)."""
        out = np.zeros((self.n_c, self.n_e))
        out[self.rows, self.cols] = self.units / self.denominator
        return out


def cap_fraction(q: float | Fraction, max_denominator: int = 100) -> Fraction:
    """The cap as a fraction ``m / D`` not above ``q`` (up to 1e-9, so 1/3 given as a float is 1/3)."""
    if not 0 < float(q) <= 1:
        raise ValueError("the probability cap q must be in (0, 1]")
    f = Fraction(q).limit_denominator(max_denominator)
    if f > Fraction(q) + Fraction(1, 10**9):  # limit_denominator may round up: step down below q
        f = Fraction(int(Fraction(q) * max_denominator), max_denominator)
    if f <= 0:
        raise ValueError(f"the probability cap q must be at least 1/{max_denominator}")
    return f


def randomized_plan(
    affinity: Any,
    *,
    q: float | Fraction,
    reviews_per_candidacy: int | Sequence[int] = 3,
    min_load: int | Sequence[int] = 0,
    max_load: int | Sequence[int] | None = None,
    forbidden: Any = None,
    locked: Any = None,
    candidacy_ids: Sequence[Any] | None = None,
    evaluator_ids: Sequence[Any] | None = None,
    max_denominator: int = 100,
    cost_scale: float = 1_000_000.0,
    deterministic: AssignmentResult | None = None,
) -> RandomizedPlan:
    """Marginal probabilities maximising the expected affinity under the cap ``q`` (see the module text).

    Raises :class:`AssignmentInfeasible` when even the deterministic problem has no solution (its diagnoses),
    or when the cap is too small for the loads (``cap_too_small``, ``cap_group_deficit``)."""
    t0 = time.perf_counter()
    cap = cap_fraction(q, max_denominator)
    m, d = cap.numerator, cap.denominator
    det = deterministic or assign(
        affinity,
        reviews_per_candidacy=reviews_per_candidacy,
        min_load=min_load,
        max_load=max_load,
        forbidden=forbidden,
        locked=locked,
        candidacy_ids=candidacy_ids,
        evaluator_ids=evaluator_ids,
    )
    p = AssignmentProblem(
        affinity, reviews_per_candidacy, min_load, max_load, forbidden, locked, candidacy_ids, evaluator_ids,
        1024,
    )  # fmt: skip
    rows, cols, vals = _allowed_arcs(p)
    diags = _cap_diagnoses(p, cap, rows, cols)
    if diags:
        raise AssignmentInfeasible(diags)
    scale = float(cost_scale) / max(1.0, p.max_abs)
    flows = _flow(p, rows, cols, vals, m, d, scale)
    if flows is None:
        raise AssignmentInfeasible(_group_deficit(p, cap, rows, cols))
    used = flows > 0
    rows, cols, vals, units = rows[used], cols[used], vals[used], flows[used]
    lr, lc = p.locked_rows, p.locked_cols
    expected = float((vals * units).sum() / d) + (float(p.values(lr, lc).sum()) if len(lr) else 0.0)
    return RandomizedPlan(
        n_c=p.n_c,
        n_e=p.n_e,
        rows=np.concatenate([rows, lr]).astype(np.int64),
        cols=np.concatenate([cols, lc]).astype(np.int64),
        units=np.concatenate([units, np.full(len(lr), d)]).astype(np.int64),
        denominator=d,
        q=cap,
        expected_affinity=expected,
        optimum=float(det.objective),
        seconds=time.perf_counter() - t0,
    )


def _allowed_arcs(p: AssignmentProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair the flow may use (not conflicted, not locked, both ends still open), with its affinity."""
    rows_l, cols_l, vals_l = [], [], []
    for s, t in p.blocks():
        vals, mask = p.allowed_block(s, t)
        r, c = np.nonzero(mask)
        rows_l.append(r.astype(np.int64) + s)
        cols_l.append(c.astype(np.int64))
        vals_l.append(vals[r, c])
    return np.concatenate(rows_l), np.concatenate(cols_l), np.concatenate(vals_l)


def _cap_diagnoses(
    p: AssignmentProblem, cap: Fraction, rows: np.ndarray, cols: np.ndarray
) -> list[Diagnosis]:
    """Per candidacy: q times its usable evaluators must reach the reviews it still needs."""
    usable = np.bincount(rows, minlength=p.n_c)
    short = np.flatnonzero(usable * cap.numerator < p.kr * cap.denominator)
    out = []
    for c in short[:50]:
        need = math.ceil(int(p.kr[c]) / cap)
        out.append(
            Diagnosis(
                "cap_too_small",
                f"{p.cname(c)}: q·evaluators = {float(cap):g}·{int(usable[c])} = {float(cap * int(usable[c])):g}"
                f" < {int(p.kr[c])} reviews needed (at least {need} non-conflicted evaluators are needed)",
                candidacies=(int(c),),
                details={"q": float(cap), "evaluators": int(usable[c]), "needed": int(p.kr[c])},
            )
        )
    return out


def _flow(
    p: AssignmentProblem,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    m: int,
    d: int,
    scale: float,
) -> np.ndarray | None:
    """The scaled min-cost flow (units of 1/d per arc), or None when infeasible."""
    n_c, n_e = p.n_c, p.n_e
    sink = n_c + n_e
    smcf = min_cost_flow.SimpleMinCostFlow()
    cost = -np.rint(vals * scale).astype(np.int64)
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(rows, n_c + cols, np.full(len(rows), m, np.int64), cost)
    es = np.flatnonzero(p.maxr > p.minr)
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_c + es, np.full(len(es), sink, np.int64), (p.maxr - p.minr)[es] * d, np.zeros(len(es), np.int64)
    )
    supplies = np.concatenate([p.kr * d, -p.minr * d, [-(int(p.kr.sum()) - int(p.minr.sum())) * d]])
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies.astype(np.int64))
    if smcf.solve() != smcf.OPTIMAL:
        return None
    flows: np.ndarray = np.asarray(smcf.flows(arcs), dtype=np.int64)
    return flows


def _group_deficit(
    p: AssignmentProblem, cap: Fraction, rows: np.ndarray, cols: np.ndarray
) -> list[Diagnosis]:
    """A set of candidacies that need more than their evaluators can give at probability ≤ q (min cut of the
    max-flow source → candidacy (k·D) → evaluator (m) → sink (max·D)); else the minimum loads are the cause."""
    n_c, n_e = p.n_c, p.n_e
    m, d = cap.numerator, cap.denominator
    src, sink = n_c + n_e, n_c + n_e + 1
    mf = max_flow.SimpleMaxFlow()
    need = np.flatnonzero(p.kr > 0)
    mf.add_arcs_with_capacity(np.full(len(need), src), need, p.kr[need] * d)
    mf.add_arcs_with_capacity(rows, n_c + cols, np.full(len(rows), m, np.int64))
    mf.add_arcs_with_capacity(n_c + np.arange(n_e), np.full(n_e, sink), p.maxr * d)
    mf.solve(src, sink)
    total = int(p.kr.sum()) * d
    if mf.optimal_flow() < total:
        side = np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)
        group = sorted(int(c) for c in side if c < n_c)
        ev = sorted(int(x) - n_c for x in side if n_c <= x < n_c + n_e)
        needed = int(p.kr[group].sum()) if group else 0
        return [
            Diagnosis(
                "cap_group_deficit",
                f"candidacies {p.clist(group)} need {needed} reviews together, but with q = {float(cap):g} and"
                f" their evaluators' maximum loads at most {mf.optimal_flow() / d:g} can be expected",
                candidacies=tuple(group),
                evaluators=tuple(ev),
                details={"q": float(cap), "needed": needed, "available": mf.optimal_flow() / d},
            )
        ]
    return [
        Diagnosis(
            "cap_min_loads",
            f"with q = {float(cap):g} the evaluators' minimum loads cannot be met: each candidacy can give an"
            " evaluator at most q of a review; lower the minimum load or raise q",
            details={"q": float(cap)},
        )
    ]


# ------------------------------------------------------------------------------------------------ sampling


def sample_assignment(plan: RandomizedPlan, rng: np.random.Generator) -> list[tuple[int, int]]:
    """One integral assignment drawn with marginals exactly ``plan``'s probabilities (dependent rounding):
    every candidacy gets exactly its ``k``, every evaluator a load between the floor and the ceiling of its
    expected load, and no pair outside the plan. Sorted (candidacy, evaluator) pairs."""
    d = plan.denominator
    units = plan.units.copy()
    n_c = plan.n_c
    ends = np.stack([plan.rows, n_c + plan.cols], axis=1).tolist()
    adj: dict[int, set[int]] = {}
    for idx in np.flatnonzero(units < d).tolist():
        a, b = ends[idx]
        adj.setdefault(a, set()).add(idx)
        adj.setdefault(b, set()).add(idx)
    u = units.tolist()

    def settle(edges: list[int]) -> None:
        """Alternating ±: first set gains in the up move. Remove the edges made integral."""
        first, second = edges[0::2], edges[1::2]
        alpha = min(min(d - u[e] for e in first), min((u[e] for e in second), default=d))
        beta = min(min(u[e] for e in first), min((d - u[e] for e in second), default=d))
        sign = 1 if rng.integers(alpha + beta) < beta else -1  # up with probability β/(α+β)
        step = alpha if sign == 1 else beta
        for e in first:
            u[e] += sign * step
        for e in second:
            u[e] -= sign * step
        for e in edges:
            if u[e] in (0, d):
                for node in ends[e]:
                    adj[node].discard(e)

    nodes: list[int] = []
    path: list[int] = []
    pos: dict[int, int] = {}
    from_end = False
    pending = [n for n in adj if adj[n]]
    while True:
        if not nodes:
            while pending and not adj[pending[-1]]:
                pending.pop()
            if not pending:
                break
            start = pending[-1]
            nodes, path, pos, from_end = [start], [], {start: 0}, len(adj[start]) == 1
        here = nodes[-1]
        last = path[-1] if path else -1
        nxt = next((e for e in adj[here] if e != last), -1)
        if nxt == -1:  # a dead end: a path (if it began at one) or restart from here
            if not path:  # a cycle through the start left it with no fractional edge
                nodes, pos = [], {}
            elif from_end:
                settle(path)
                nodes, path, pos = [], [], {}
            else:
                nodes, path, pos, from_end = [here], [], {here: 0}, True
            continue
        a, b = ends[nxt]
        there = b if a == here else a
        if there in pos:  # a cycle: round it, keep the walk up to where it closes
            at = pos[there]
            settle([*path[at:], nxt])
            for n in nodes[at + 1 :]:
                del pos[n]
            nodes, path = nodes[: at + 1], path[:at]  # untouched: the walk goes on from `there`
            continue
        pos[there] = len(nodes)
        nodes.append(there)
        path.append(nxt)
    chosen = np.flatnonzero(np.asarray(u, dtype=np.int64) == d)
    return sorted(zip(plan.rows[chosen].tolist(), plan.cols[chosen].tolist(), strict=True))
