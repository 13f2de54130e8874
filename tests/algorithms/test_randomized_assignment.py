"""The randomised assignment (Jecmen et al. 2020): the LP optimum under the cap, exact sampling of it, and the
diagnosis of a cap too small for the loads."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from nic1000.algorithms.assignment import AssignmentInfeasible, assign
from nic1000.algorithms.assignment.randomized import cap_fraction, randomized_plan, sample_assignment


def _lp_optimum(a: np.ndarray, k: int, max_load: int, q: float, forbidden: np.ndarray) -> float:
    """The same LP through HiGHS (scipy), as an independent check of the flow formulation."""
    n, m = a.shape
    eq = np.zeros((n, n * m))
    for i in range(n):
        eq[i, i * m : (i + 1) * m] = 1
    ub = np.zeros((m, n * m))
    for j in range(m):
        ub[j, j::m] = 1
    bounds = [(0, 0 if forbidden[i, j] else q) for i in range(n) for j in range(m)]
    res = linprog(-a.ravel(), A_ub=ub, b_ub=np.full(m, max_load), A_eq=eq, b_eq=np.full(n, k), bounds=bounds,
                  method="highs")  # fmt: skip
    assert res.status == 0
    return float(-res.fun)


def _check_sample(pairs: list[tuple[int, int]], plan_p: np.ndarray, k: int, max_load: int) -> None:
    arr = np.asarray(pairs).reshape(-1, 2)
    n, m = plan_p.shape
    assert (np.bincount(arr[:, 0], minlength=n) == k).all()  # every candidacy exactly k
    loads = np.bincount(arr[:, 1], minlength=m)
    assert (loads <= max_load).all()
    expected_load = plan_p.sum(axis=0)
    assert (loads >= np.floor(expected_load - 1e-9)).all() and (loads <= np.ceil(expected_load + 1e-9)).all()
    assert (plan_p[arr[:, 0], arr[:, 1]] > 0).all()  # never a pair of probability 0 (conflicts included)
    assert len(set(pairs)) == len(pairs)


def test_plan_is_the_lp_optimum_and_respects_the_cap() -> None:
    rng = np.random.default_rng(5)
    a = rng.random((12, 7))
    forbidden = np.zeros(a.shape, bool)
    forbidden[0, 1] = forbidden[3, 2] = forbidden[7, 0] = forbidden[7, 6] = True
    plan = randomized_plan(a, q=0.4, reviews_per_candidacy=2, max_load=5, forbidden=forbidden)
    p = plan.probabilities()
    assert p.max() <= 0.4 + 1e-12
    assert (p[forbidden] == 0).all()
    assert np.allclose(p.sum(axis=1), 2)
    assert (p.sum(axis=0) <= 5 + 1e-9).all()
    assert plan.expected_affinity == pytest.approx(float((p * a).sum()), abs=1e-9)
    assert plan.expected_affinity == pytest.approx(_lp_optimum(a, 2, 5, 0.4, forbidden), abs=1e-4)
    det = assign(a, reviews_per_candidacy=2, max_load=5, forbidden=forbidden)
    assert plan.optimum == pytest.approx(det.objective)
    assert plan.expected_affinity < plan.optimum  # the cap binds: randomisation has a price
    assert 0.5 < plan.ratio < 1


def test_cap_of_one_gives_the_deterministic_optimum() -> None:
    a = np.random.default_rng(2).random((10, 6))
    plan = randomized_plan(a, q=1, reviews_per_candidacy=3, max_load=6)
    assert plan.ratio == pytest.approx(1.0, abs=1e-6)
    assert set(np.unique(plan.units)) == {1}  # every pair integral


def test_marginals_of_many_samples_match_the_plan() -> None:
    rng = np.random.default_rng(11)
    a = rng.random((15, 8))
    forbidden = rng.random(a.shape) < 0.1
    plan = randomized_plan(a, q=Fraction(1, 3), reviews_per_candidacy=2, max_load=5, forbidden=forbidden)
    p = plan.probabilities()
    counts = np.zeros_like(p)
    draws = 4000
    sampler = np.random.default_rng(1)
    for _ in range(draws):
        pairs = sample_assignment(plan, sampler)
        _check_sample(pairs, p, 2, 5)
        arr = np.asarray(pairs)
        counts[arr[:, 0], arr[:, 1]] += 1
    freq = counts / draws
    # binomial standard error ≤ 0.5/√4000 ≈ 0.008: 5 standard errors
    assert np.abs(freq - p).max() < 0.04
    assert (freq[p == 0] == 0).all()


def test_locked_pairs_are_always_drawn() -> None:
    a = np.random.default_rng(3).random((6, 5))
    plan = randomized_plan(a, q=0.5, reviews_per_candidacy=2, max_load=4, locked=[(0, 4), (3, 1)])
    for seed in range(30):
        pairs = sample_assignment(plan, np.random.default_rng(seed))
        assert (0, 4) in pairs and (3, 1) in pairs
        _check_sample(pairs, plan.probabilities(), 2, 4)


def test_the_same_seed_draws_the_same_assignment() -> None:
    a = np.random.default_rng(4).random((20, 9))
    plan = randomized_plan(a, q=0.5, reviews_per_candidacy=3, max_load=9)
    first = sample_assignment(plan, np.random.default_rng(42))
    assert sample_assignment(plan, np.random.default_rng(42)) == first
    assert any(sample_assignment(plan, np.random.default_rng(s)) != first for s in range(43, 53))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 12),
    m=st.integers(2, 8),
    k=st.integers(1, 3),
    q=st.sampled_from([0.25, 0.3, 0.5, 0.75, 1.0]),
    seed=st.integers(0, 10_000),
)
def test_every_sample_keeps_the_constraints(n: int, m: int, k: int, q: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.random((n, m))
    forbidden = rng.random((n, m)) < 0.2
    max_load = int(np.ceil(n * k / m)) + 1
    try:
        plan = randomized_plan(a, q=q, reviews_per_candidacy=k, max_load=max_load, forbidden=forbidden)
    except AssignmentInfeasible as exc:
        assert exc.diagnoses  # always said why
        return
    p = plan.probabilities()
    assert p.max() <= q + 1e-12 and (p[forbidden] == 0).all()
    for s in range(5):
        _check_sample(sample_assignment(plan, np.random.default_rng(s)), p, k, max_load)


def test_a_cap_too_small_for_a_candidacy_is_diagnosed() -> None:
    a = np.random.default_rng(1).random((4, 5))
    forbidden = np.zeros(a.shape, bool)
    forbidden[2, :3] = True  # candidacy 2 keeps two evaluators: 0.5 · 2 = 1 < 2
    with pytest.raises(AssignmentInfeasible) as info:
        randomized_plan(a, q=0.5, reviews_per_candidacy=2, max_load=4, forbidden=forbidden,
                        candidacy_ids=["A", "B", "C", "D"])  # fmt: skip
    d = info.value.diagnoses[0]
    assert d.code == "cap_too_small" and d.candidacies == (2,)
    assert "candidacy C" in d.message and "q·evaluators = 0.5·2 = 1 < 2" in d.message


def test_a_cap_too_small_for_the_loads_is_diagnosed() -> None:
    # 4 candidacies × 2 reviews = 8. Evaluator 3 could take one review of each (4), the others 5 in all; capped
    # at q = 0.5 evaluator 3 can expect at most 4 · 0.5 = 2, so 7 < 8.
    a = np.ones((4, 4))
    with pytest.raises(AssignmentInfeasible) as info:
        randomized_plan(a, q=0.5, reviews_per_candidacy=2, max_load=[2, 2, 1, 8])
    d = info.value.diagnoses[0]
    assert d.code == "cap_group_deficit"
    assert d.details["needed"] == 8 and d.details["available"] == pytest.approx(7)
    assert assign(a, reviews_per_candidacy=2, max_load=[2, 2, 1, 8]).objective == 8  # fine without the cap


def test_deterministic_infeasibility_keeps_its_diagnosis() -> None:
    with pytest.raises(AssignmentInfeasible) as info:
        randomized_plan(np.ones((5, 2)), q=0.5, reviews_per_candidacy=3)
    assert info.value.diagnoses


def test_cap_fraction() -> None:
    assert cap_fraction(0.5) == Fraction(1, 2)
    assert cap_fraction(1 / 3) == Fraction(1, 3)
    assert cap_fraction(0.333) <= Fraction(333, 1000)
    with pytest.raises(ValueError):
        cap_fraction(0)
    with pytest.raises(ValueError):
        cap_fraction(1.5)
