"""Programme calibration of the early-warning probabilities: prior correction, grades, estimates, refit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nic1000.algorithms.early_warning import programme as pr

rates = st.floats(min_value=0.001, max_value=0.999)
probs = st.floats(min_value=1e-6, max_value=1 - 1e-6)


@given(p=probs, s=rates)
def test_prior_correction_to_the_same_rate_changes_nothing(p: float, s: float) -> None:
    assert pr.prior_correction(np.array([p]), s, s)[0] == pytest.approx(p, rel=1e-9, abs=1e-12)


@given(p=st.lists(probs, min_size=2, max_size=20), s=rates, t=rates)
def test_prior_correction_keeps_the_ranking(p: list[float], s: float, t: float) -> None:
    q = pr.prior_correction(np.array(p), s, t)
    for i in range(len(p)):
        for j in range(len(p)):
            if p[i] < p[j]:
                assert q[i] <= q[j]


def test_prior_correction_moves_the_odds_by_the_ratio_of_prior_odds() -> None:
    # The Polish sample's 3.86% to a programme rate of 1%: a 3.86% company becomes 1%.
    s = 271 / 7027
    assert pr.prior_correction(np.array([s]), s, 0.01)[0] == pytest.approx(0.01)
    q = pr.prior_correction(np.array([0.5]), s, 0.01)[0]
    assert q / (1 - q) == pytest.approx((0.01 / 0.99) / (s / (1 - s)))


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_a_base_rate_outside_zero_one_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        pr.prior_correction(np.array([0.1]), 0.04, bad)


def test_ten_grades_cover_zero_to_one_without_gaps() -> None:
    assert [g.number for g in pr.GRADES] == list(range(1, 11))
    assert pr.GRADES[0].lower == 0 and pr.GRADES[-1].upper == 1
    for a, b in zip(pr.GRADES, pr.GRADES[1:], strict=False):
        assert a.upper == b.lower and a.upper < b.upper
    assert pr.grade_of(0.0) == 1 and pr.grade_of(0.0025) == 1 and pr.grade_of(0.0026) == 2
    assert pr.grade_of(0.03) == 5 and pr.grade_of(0.5) == 10 and pr.grade_of(1.0) == 10


@given(p=probs)
def test_the_grade_is_the_range_the_probability_falls_in(p: float) -> None:
    g = pr.GRADES[pr.grade_of(p) - 1]
    assert g.lower < p <= g.upper or (g.number == 1 and p <= g.upper)


def test_too_few_outcomes_are_said_not_guessed() -> None:
    with pytest.raises(pr.InsufficientOutcomes) as exc:
        pr.estimate_rate(np.array([0] * 50 + [1] * 2))
    assert (exc.value.observations, exc.value.events) == (52, 2)
    with pytest.raises(pr.InsufficientOutcomes):
        pr.refit(np.full(1000, 0.1), np.zeros(1000))  # no events at all


def test_estimated_rate_and_its_interval() -> None:
    est = pr.estimate_rate(np.array([1] * 20 + [0] * 980))
    assert est.rate == pytest.approx(0.02) and est.low < 0.02 < est.high
    assert (est.observations, est.events) == (1000, 20)


def test_refit_recovers_a_shift_in_level() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.001, 0.3, 20_000)
    truth = pr.prior_correction(p, 0.04, 0.01)  # the programme fails at a quarter of the sample's odds
    y = (rng.uniform(size=p.size) < truth).astype(int)
    fit = pr.refit(p, y)
    got = pr.apply_refit(p, fit.a, fit.b)
    assert abs(got.mean() - y.mean()) < 0.002
    assert np.corrcoef(got, truth)[0, 1] > 0.99
