"""Tests for nic1000.algorithms.assignment (pure; run with -p no:django)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from nic1000.algorithms.assignment import (
    AssignmentInfeasible,
    assign,
    diagnose_assignment,
    lagrangian_bound,
)

# ------------------------------------------------------------------------------------------- helpers


def brute_force(a, k, min_load, max_load, forbidden=(), locked=()):
    """Best total affinity by enumeration (None if infeasible)."""
    n_c, n_e = a.shape
    forbidden, locked = set(forbidden), set(locked)
    best = None
    per_c = [list(itertools.combinations(range(n_e), k)) for _ in range(n_c)]
    for combo in itertools.product(*per_c):
        load = np.zeros(n_e, dtype=int)
        ok = True
        for c, es in enumerate(combo):
            for e in es:
                if (c, e) in forbidden:
                    ok = False
                load[e] += 1
        for c, e in locked:
            if e not in combo[c]:
                ok = False
        if not ok or (load < min_load).any() or (load > max_load).any():
            continue
        val = sum(a[c, e] for c, es in enumerate(combo) for e in es)
        if best is None or val > best:
            best = val
    return best


def full_lp_value(a, k, min_load, max_load, forbidden=(), locked=()):
    """LP optimum of the full problem with HiGHS (the matrix is TU, so this is also the integer optimum)."""
    n_c, n_e = a.shape
    nv = n_c * n_e
    a_eq = np.zeros((n_c, nv))
    for c in range(n_c):
        a_eq[c, c * n_e : (c + 1) * n_e] = 1
    a_load = np.zeros((n_e, nv))
    for e in range(n_e):
        a_load[e, e::n_e] = 1
    ub = np.ones(nv)
    lb = np.zeros(nv)
    for c, e in forbidden:
        ub[c * n_e + e] = 0
    for c, e in locked:
        lb[c * n_e + e] = 1
    res = linprog(
        -a.ravel(),
        A_ub=np.vstack([a_load, -a_load]),
        b_ub=np.r_[np.full(n_e, max_load), -np.full(n_e, min_load)],
        A_eq=a_eq,
        b_eq=np.full(n_c, k),
        bounds=list(zip(lb, ub, strict=True)),
        method="highs",
    )
    return -res.fun if res.status == 0 else None


def check_valid(res, a, k, min_load, max_load, forbidden=(), locked=()):
    n_c, n_e = a.shape
    pairs = {(p.candidacy, p.evaluator) for p in res.pairs}
    assert len(pairs) == len(res.pairs), "duplicate pair"
    assert not pairs & set(forbidden), "forbidden pair assigned"
    assert set(locked) <= pairs, "locked pair dropped"
    per_c = np.bincount([p.candidacy for p in res.pairs], minlength=n_c)
    assert (per_c == k).all()
    loads = np.bincount([p.evaluator for p in res.pairs], minlength=n_e)
    assert (loads >= min_load).all() and (loads <= max_load).all()
    assert (loads == res.loads).all()
    assert res.objective == pytest.approx(sum(a[c, e] for c, e in pairs))
    for p in res.pairs:
        assert p.affinity == pytest.approx(a[p.candidacy, p.evaluator])


# -------------------------------------------------------------------------------------- hand checked


def test_hand_checked_optimum():
    # 2 candidacies, 3 evaluators, 1 review each, each evaluator at most 1.
    a = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.1]])
    res = assign(a, reviews_per_candidacy=1, max_load=1)
    # greedy would give C0→E0 (0.9) and C1→E1 (0.2) = 1.1; optimum is C0→E1, C1→E0 = 1.65
    assert [(p.candidacy, p.evaluator) for p in res.pairs] == [(0, 1), (1, 0)]
    assert res.objective == pytest.approx(1.65)
    assert res.status == "optimal"
    assert res.bound == pytest.approx(1.65, abs=1e-5)
    assert res.gap == pytest.approx(0.0, abs=1e-5)
    assert res.simple_bound == pytest.approx(0.9 + 0.85)


def test_min_load_forces_spreading():
    a = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    res = assign(a, reviews_per_candidacy=1, min_load=1, max_load=3)
    assert sorted(res.loads.tolist()) == [1, 2]
    assert res.objective == pytest.approx(2.0)


def test_conflicts_never_assigned_and_locked_kept():
    rng = np.random.default_rng(1)
    a = rng.random((12, 6))
    forbidden = [(c, c % 6) for c in range(12)]
    locked = [(0, 5), (1, 4), (2, 3)]
    res = assign(a, reviews_per_candidacy=2, min_load=2, max_load=6, forbidden=forbidden, locked=locked)
    check_valid(res, a, 2, 2, 6, forbidden, locked)
    assert res.locked == frozenset(locked)
    assert res.objective == pytest.approx(full_lp_value(a, 2, 2, 6, forbidden, locked), abs=1e-6)


def test_per_item_k_and_loads():
    a = np.arange(12, dtype=float).reshape(4, 3) / 12
    k = [1, 2, 3, 0]
    res = assign(a, reviews_per_candidacy=k, min_load=[1, 0, 2], max_load=[2, 3, 3])
    per_c = np.bincount([p.candidacy for p in res.pairs], minlength=4)
    assert per_c.tolist() == k
    assert (res.loads >= [1, 0, 2]).all() and (res.loads <= [2, 3, 3]).all()
    assert res.objective == pytest.approx(enumerate_per_item_k(a, k))


def enumerate_per_item_k(a, k):
    """Best total for per-candidacy k and the loads of test_per_item_k_and_loads, by enumeration."""
    n_e = a.shape[1]
    best = None
    per_c = [list(itertools.combinations(range(n_e), kk)) for kk in k]
    for combo in itertools.product(*per_c):
        load = np.zeros(n_e, int)
        for es in combo:
            for e in es:
                load[e] += 1
        if (load >= [1, 0, 2]).all() and (load <= [2, 3, 3]).all():
            v = sum(a[c, e] for c, es in enumerate(combo) for e in es)
            best = v if best is None or v > best else best
    return best


def test_sparse_affinity_same_as_dense():
    rng = np.random.default_rng(2)
    a = rng.random((15, 7)) * (rng.random((15, 7)) < 0.5)
    r1 = assign(a, reviews_per_candidacy=2, max_load=6)
    r2 = assign(sp.csr_matrix(a), reviews_per_candidacy=2, max_load=6)
    assert r1.objective == pytest.approx(r2.objective)


def test_forbidden_as_boolean_matrix():
    rng = np.random.default_rng(3)
    a = rng.random((10, 5))
    mask = rng.random((10, 5)) < 0.2
    res = assign(a, reviews_per_candidacy=2, max_load=6, forbidden=mask)
    pairs = np.zeros_like(mask)
    for p in res.pairs:
        pairs[p.candidacy, p.evaluator] = True
    assert not (pairs & mask).any()


# ----------------------------------------------------------------------------------- brute force (PBT)


@st.composite
def small_instances(draw):
    n_c = draw(st.integers(1, 4))
    n_e = draw(st.integers(1, 4))
    k = draw(st.integers(1, min(2, n_e)))
    vals = draw(st.lists(st.integers(0, 20), min_size=n_c * n_e, max_size=n_c * n_e))
    a = np.array(vals, dtype=float).reshape(n_c, n_e) / 20
    min_load = draw(st.integers(0, 2))
    max_load = draw(st.integers(max(1, min_load), 4))
    pairs = [(c, e) for c in range(n_c) for e in range(n_e)]
    forbidden = draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True))
    locked = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
    return a, k, min_load, max_load, forbidden, locked


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_matches_brute_force(inst):
    a, k, mn, mx, forbidden, locked = inst
    best = brute_force(a, k, mn, mx, forbidden, locked)
    try:
        res = assign(a, reviews_per_candidacy=k, min_load=mn, max_load=mx, forbidden=forbidden, locked=locked)
    except AssignmentInfeasible as exc:
        assert best is None, f"solver says infeasible but brute force found {best}"
        assert exc.diagnoses, "infeasibility without a diagnosis"
        return
    assert best is not None
    check_valid(res, a, k, mn, mx, forbidden, locked)
    assert res.objective == pytest.approx(best)
    assert res.bound >= res.objective - 1e-9
    assert res.bound == pytest.approx(best, abs=1e-4)
    assert res.status == "optimal"


@settings(max_examples=40, deadline=None)
@given(small_instances())
def test_restricted_arcs_still_optimal(inst):
    a, k, mn, mx, forbidden, locked = inst
    best = brute_force(a, k, mn, mx, forbidden, locked)
    if best is None:
        return
    res = assign(
        a,
        reviews_per_candidacy=k,
        min_load=mn,
        max_load=mx,
        forbidden=forbidden,
        locked=locked,
        candidate_arcs=1,
        evaluator_arcs=0,
    )
    check_valid(res, a, k, mn, mx, forbidden, locked)
    assert res.objective == pytest.approx(best)
    assert res.status == "optimal"


# ----------------------------------------------------------------------------- restricted + bound


def test_restricted_matches_full_and_lp_bound():
    rng = np.random.default_rng(7)
    n_c, n_e = 60, 15
    a = rng.random((n_c, n_e)) ** 2
    forbidden = [
        (int(c), int(e)) for c, e in zip(rng.integers(0, n_c, 40), rng.integers(0, n_e, 40), strict=True)
    ]
    full = assign(a, reviews_per_candidacy=3, min_load=8, max_load=16, forbidden=forbidden)
    restricted = assign(
        a,
        reviews_per_candidacy=3,
        min_load=8,
        max_load=16,
        forbidden=forbidden,
        candidate_arcs=3,
        evaluator_arcs=2,
    )
    lp = full_lp_value(a, 3, 8, 16, set(forbidden))
    assert full.objective == pytest.approx(lp, abs=1e-4)
    assert restricted.objective == pytest.approx(lp, abs=1e-4)
    assert restricted.restricted and restricted.status == "optimal"
    assert restricted.bound == pytest.approx(lp, abs=1e-4)
    assert restricted.rounds >= 1
    check_valid(restricted, a, 3, 8, 16, forbidden)


def test_widening_when_candidate_arcs_infeasible():
    # every candidacy prefers evaluator 0, but evaluator 0 can only take 2 reviews
    a = np.array([[1.0, 0.1, 0.05, 0.01]] * 6)
    res = assign(a, reviews_per_candidacy=1, max_load=2, candidate_arcs=1, evaluator_arcs=0)
    assert res.rounds >= 2
    assert res.objective == pytest.approx(2 * 1.0 + 2 * 0.1 + 2 * 0.05)
    assert res.status == "optimal"


def test_bound_is_valid_for_any_prices():
    rng = np.random.default_rng(5)
    a = rng.random((8, 4))
    best = full_lp_value(a, 2, 3, 5)
    simple = lagrangian_bound(a, np.zeros(4), reviews_per_candidacy=2, min_load=3, max_load=5)
    assert simple == pytest.approx(np.sort(a, axis=1)[:, -2:].sum())
    for _ in range(5):
        prices = rng.normal(0, 0.3, 4)
        assert lagrangian_bound(a, prices, reviews_per_candidacy=2, min_load=3, max_load=5) >= best - 1e-9


# ------------------------------------------------------------------------------------------ diagnosis


def codes(exc_info):
    return [d.code for d in exc_info.value.diagnoses]


def test_diagnosis_too_few_evaluators_with_ids():
    a = np.ones((20, 4))
    forbidden = [(17, 0), (17, 1)]
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=3, forbidden=forbidden, candidacy_ids=[f"C-{i}" for i in range(20)])
    d = ei.value.diagnoses[0]
    assert d.code == "too_few_evaluators"
    assert d.message == "candidacy C-17: only 2 non-conflicted evaluators with free capacity, needs 3"
    assert d.candidacies == (17,)
    assert d.details == {"available": 2, "required": 3, "locked": 0}


def test_diagnosis_total_capacity_and_min_load():
    a = np.ones((10, 4))
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=3, max_load=7)
    assert "total_capacity" in codes(ei)
    assert "total required reviews 30 exceed total max load 28" in str(ei.value)
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, min_load=3)
    assert "total_min_load" in codes(ei)
    assert "sum of min loads 12 exceeds reviews 10" in str(ei.value)


def test_diagnosis_locked_problems():
    a = np.ones((3, 3))
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, forbidden=[(0, 0)], locked=[(0, 0)])
    assert "locked_forbidden" in codes(ei)
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, locked=[(0, 0), (0, 1)])
    assert "locked_exceeds_reviews" in codes(ei)
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, max_load=1, locked=[(0, 0), (1, 0)])
    assert "locked_exceeds_max_load" in codes(ei)


def test_diagnosis_load_bounds_and_too_few_candidacies():
    a = np.ones((3, 3))
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, min_load=[2, 0, 0], max_load=[1, 3, 3])
    assert "load_bounds" in codes(ei)
    forbidden = [(0, 2), (1, 2)]
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, min_load=[0, 0, 2], max_load=3, forbidden=forbidden)
    d = next(d for d in ei.value.diagnoses if d.code == "too_few_candidacies")
    assert d.evaluators == (2,)
    assert "minimum load 2 but only 1 non-conflicted candidacies" in d.message


def test_diagnosis_hall_candidacies():
    # candidacies 0-2 may only use evaluators 0 and 1 (max load 2 each) but need 2 reviews each: 6 > 4
    n_c, n_e = 6, 5
    a = np.ones((n_c, n_e))
    forbidden = [(c, e) for c in range(3) for e in range(2, 5)]
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=2, max_load=[2, 2, 9, 9, 9], forbidden=forbidden)
    d = next(d for d in ei.value.diagnoses if d.code == "hall_candidacies")
    assert set(d.candidacies) == {0, 1, 2}
    assert set(d.evaluators) == {0, 1}
    assert d.details["required"] == 6 and d.details["capacity"] == 4
    assert "3 candidacies (#0, #1, #2) need 6 more reviews" in d.message
    # the same list without raising
    assert [
        x.code
        for x in diagnose_assignment(
            a, reviews_per_candidacy=2, max_load=[2, 2, 9, 9, 9], forbidden=forbidden
        )
    ] == ["hall_candidacies"]


def test_diagnosis_hall_evaluators():
    # evaluators 0 and 1 may only review candidacy 0 (needs 1 review) but both have min load 1
    n_c, n_e = 4, 4
    a = np.ones((n_c, n_e))
    forbidden = [(c, e) for c in range(1, 4) for e in range(2)]
    with pytest.raises(AssignmentInfeasible) as ei:
        assign(a, reviews_per_candidacy=1, min_load=[1, 1, 0, 0], max_load=4, forbidden=forbidden)
    d = next(d for d in ei.value.diagnoses if d.code == "hall_evaluators")
    assert set(d.evaluators) == {0, 1}
    assert d.details["required"] == 2 and d.details["capacity"] == 1


def test_diagnose_feasible_is_empty():
    assert diagnose_assignment(np.ones((5, 3)), reviews_per_candidacy=2, max_load=4) == []


def test_invalid_input():
    with pytest.raises(ValueError):
        assign(np.array([[np.nan]]), reviews_per_candidacy=1)
    with pytest.raises(ValueError):
        assign(np.ones((2, 2)), reviews_per_candidacy=[1, 1, 1])
    with pytest.raises(ValueError):
        assign(np.ones((2, 2)), reviews_per_candidacy=1, forbidden=[(5, 0)])


def test_deterministic():
    rng = np.random.default_rng(11)
    a = np.round(rng.random((40, 10)), 1)  # many ties
    r1 = assign(a, reviews_per_candidacy=2, min_load=4, max_load=12)
    r2 = assign(a.copy(), reviews_per_candidacy=2, min_load=4, max_load=12)
    assert r1.pairs == r2.pairs
