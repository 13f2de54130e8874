"""Why no assignment exists: counting checks first, then Hall-type group deficits from the minimum cuts of
two max-flows. By Hoffman's circulation theorem these cover every way the problem can be infeasible."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.graph.python import max_flow

from nic1000.algorithms.assignment.problem import AssignmentProblem, in_sorted
from nic1000.algorithms.assignment.types import Diagnosis


def _fmt(n: float) -> str:
    return f"{int(n):,}"


def cheap_diagnoses(p: AssignmentProblem) -> list[Diagnosis]:
    """Counting checks: contradictory inputs, nodes with too few usable pairs, totals that cannot match."""
    return [*_input_diagnoses(p), *_degree_diagnoses(p), *_total_diagnoses(p)]


def _input_diagnoses(p: AssignmentProblem) -> list[Diagnosis]:
    """Load bounds and locked pairs that contradict each other or the forbidden pairs."""
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
    both = p.locked_flat[in_sorted(p.locked_flat, p.forbidden)]
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
    return out


def _degree_diagnoses(p: AssignmentProblem) -> list[Diagnosis]:
    """A candidacy with fewer usable evaluators than reviews, an evaluator with fewer usable candidacies
    than its minimum load."""
    out: list[Diagnosis] = []
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
    return out


def _total_diagnoses(p: AssignmentProblem) -> list[Diagnosis]:
    """Reviews required against the sum of maximum and of minimum loads."""
    out: list[Diagnosis] = []
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


def _allowed_pairs(p: AssignmentProblem) -> tuple[np.ndarray, np.ndarray]:
    """(candidacy, evaluator) of every pair the flow may use."""
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


def _hall_diagnoses(p: AssignmentProblem, skip_total: tuple[bool, bool] = (False, False)) -> list[Diagnosis]:
    """Group deficits from the minimum cuts of two max-flows on the relaxed instance.

    Demands are first capped at what each node could get on its own (so that problems already reported
    by the counting checks are not reported again); ``skip_total`` leaves out a cut of every candidacy (or
    evaluator) when the total check already said so.
    """
    rows, cols = _allowed_pairs(p)
    kr = np.minimum(p.kr, p.deg_c)
    minr = np.minimum(np.minimum(p.minr, p.deg_e), p.maxr)
    out: list[Diagnosis] = []
    if kr.sum() > 0:
        out += _candidacy_deficit(p, rows, cols, kr, skip_total[0])
    if minr.sum() > 0:
        out += _evaluator_deficit(p, rows, cols, minr, skip_total[1])
    return out


def _source_side(mf: Any, n_c: int, n_e: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidacies and evaluators on the source side of the minimum cut, and their membership masks."""
    cut = np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)
    a_set = np.sort(cut[cut < n_c])
    b_set = np.sort(cut[(cut >= n_c) & (cut < n_c + n_e)] - n_c)
    in_a = np.zeros(n_c, bool)
    in_a[a_set] = True
    in_b = np.zeros(n_e, bool)
    in_b[b_set] = True
    return a_set, b_set, in_a, in_b


def _candidacy_deficit(
    p: AssignmentProblem, rows: np.ndarray, cols: np.ndarray, kr: np.ndarray, skip_whole: bool
) -> list[Diagnosis]:
    """Candidacies → evaluators with maximum loads: a short flow names candidacies that need more reviews
    than their non-conflicted evaluators can take."""
    n_c, n_e = p.n_c, p.n_e
    s, t = n_c + n_e, n_c + n_e + 1
    mf = max_flow.SimpleMaxFlow()
    cs = np.flatnonzero(kr > 0)
    mf.add_arcs_with_capacity(np.full(len(cs), s), cs, kr[cs])
    mf.add_arcs_with_capacity(rows, n_c + cols, np.ones(len(rows), dtype=np.int64))
    es = np.flatnonzero(p.maxr > 0)
    mf.add_arcs_with_capacity(n_c + es, np.full(len(es), t), p.maxr[es])
    if mf.solve(s, t) != mf.OPTIMAL or mf.optimal_flow() >= kr.sum():
        return []
    a_set, b_set, in_a, in_b = _source_side(mf, n_c, n_e)
    need = int(kr[a_set].sum())
    supply = int(p.maxr[b_set].sum()) + int((in_a[rows] & ~in_b[cols]).sum())
    if len(a_set) == len(cs) and skip_whole:
        return []
    return [
        Diagnosis(
            "hall_candidacies",
            f"{len(a_set)} candidacies ({p.clist(list(a_set))}) need {_fmt(need)} more reviews "
            f"but their non-conflicted evaluators can take at most {_fmt(supply)}",
            candidacies=tuple(int(c) for c in a_set),
            evaluators=tuple(int(e) for e in b_set),
            details={"required": need, "capacity": supply, "deficit": need - supply},
        )
    ]


def _evaluator_deficit(
    p: AssignmentProblem, rows: np.ndarray, cols: np.ndarray, minr: np.ndarray, skip_whole: bool
) -> list[Diagnosis]:
    """Evaluators with minimum loads → candidacies: a short flow names evaluators whose minimum loads their
    non-conflicted candidacies cannot fill."""
    n_c, n_e = p.n_c, p.n_e
    s, t = n_c + n_e, n_c + n_e + 1
    mf = max_flow.SimpleMaxFlow()
    es = np.flatnonzero(minr > 0)
    mf.add_arcs_with_capacity(np.full(len(es), s), n_c + es, minr[es])
    mf.add_arcs_with_capacity(n_c + cols, rows, np.ones(len(rows), dtype=np.int64))
    cs = np.flatnonzero(p.kr > 0)
    mf.add_arcs_with_capacity(cs, np.full(len(cs), t), p.kr[cs])
    if mf.solve(s, t) != mf.OPTIMAL or mf.optimal_flow() >= minr.sum():
        return []
    a_set, b_set, in_a, in_b = _source_side(mf, n_c, n_e)
    need = int(minr[b_set].sum())
    supply = int(p.kr[a_set].sum()) + int((in_b[cols] & ~in_a[rows]).sum())
    if len(b_set) == len(es) and skip_whole:
        return []
    return [
        Diagnosis(
            "hall_evaluators",
            f"{len(b_set)} evaluators ({p.elist(list(b_set))}) need at least {_fmt(need)} reviews "
            f"for their minimum loads but their non-conflicted candidacies can give at most "
            f"{_fmt(supply)}",
            candidacies=tuple(int(c) for c in a_set),
            evaluators=tuple(int(e) for e in b_set),
            details={"required": need, "capacity": supply, "deficit": need - supply},
        )
    ]


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
    return diagnose(p)


def diagnose(p: AssignmentProblem) -> list[Diagnosis]:
    """All diagnoses: the counting checks, then the group deficits they do not already explain."""
    out = cheap_diagnoses(p)
    codes = {d.code for d in out}
    out += _hall_diagnoses(p, ("total_capacity" in codes, "total_min_load" in codes))
    return out
