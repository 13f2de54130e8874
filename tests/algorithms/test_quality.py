"""Decision-quality algorithms: evaluator effects with shrinkage, relative disagreement flags, probabilities of
selection by bootstrap with exact re-solves, and weight sensitivity."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nic1000.algorithms.aggregation import Criterion, Review
from nic1000.algorithms.quality import (
    alpha_by_group,
    disagreement_flags,
    evaluator_effects,
    score_reviews,
    selection_probabilities,
    shifted_rubrics,
    weight_sensitivity,
)
from nic1000.algorithms.selection import GroupQuota, SelectionCandidate, select
from nic1000.algorithms.selection.resolve import Resolver


def _round(n: int, seed: int, n_eval: int = 12, lenient: float = 0.0, noise: float = 5.0):  # type: ignore[no-untyped-def]
    """(candidacy, evaluator, total) triples: three reviews each; evaluator 0 is `lenient` points high."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(60, 10, n)
    triples = []
    for c in range(n):
        for e in rng.choice(n_eval, 3, replace=False):
            triples.append(
                (c, int(e), float(quality[c] + (lenient if e == 0 else 0.0) + rng.normal(0, noise)))
            )
    return triples


# --- evaluator effects ----------------------------------------------------------------------------------------


def test_a_lenient_evaluator_is_found_with_its_uncertainty() -> None:
    eff = evaluator_effects(_round(200, 1, lenient=12.0))
    assert eff.available
    top = max(eff.effects.values(), key=lambda e: e.effect or -1e9)
    assert top.evaluator_id == 0 and top.effect is not None and top.se is not None
    assert abs(top.effect - 12.0 * 11 / 12) < 3 * top.se + 1.0  # centred: the others absorb 1/12
    assert all(e.applied for e in eff.effects.values())


def test_shrinkage_is_monotone_in_the_number_of_reviews() -> None:
    """An evaluator 10 points above the rest on every panel: the more reviews, the less its estimate is shrunk."""
    estimates = []
    for k in (1, 2, 4, 8, 16):
        triples = []
        for c in range(20):
            for e in (1, 2):
                triples.append((c, e, 50.0 + (c % 5)))
        for c in range(20, 20 + k):  # the lenient evaluator sits on k panels with evaluators 1 and 2
            triples += [(c, 1, 50.0), (c, 2, 50.0), (c, 0, 60.0)]
        eff = evaluator_effects(triples, min_reviews=1, shrinkage=4.0)
        estimates.append(eff.effects[0].effect)
    assert all(e is not None for e in estimates)
    assert estimates == sorted(estimates) and estimates[-1] < 10.0 and estimates[0] > 0.0


def test_too_few_reviews_for_effects_say_so() -> None:
    eff = evaluator_effects([(c, e, 50.0 + c + e) for c in range(5) for e in (0, 1)])
    assert not eff.available and eff.reason_code == "too_few_panels" and "at least 10" in eff.reason
    assert eff.effects == {} and eff.offset(0) == 0.0
    single = evaluator_effects([(c, c % 3, 50.0) for c in range(30)])  # one review each: nothing to compare
    assert not single.available


def test_an_evaluator_with_too_few_reviews_gets_none() -> None:
    triples = _round(60, 2)
    triples.append((0, 99, 70.0))  # evaluator 99: one review
    eff = evaluator_effects(triples, min_reviews=2)
    assert eff.effects[99].effect is None and not eff.effects[99].applied and eff.offset(99) == 0.0


# --- flags ------------------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(10, 120),
    noise=st.floats(0.5, 20.0),
    tail=st.floats(0.0, 0.5),
)
def test_flags_never_exceed_the_share(seed: int, n: int, noise: float, tail: float) -> None:
    rng = np.random.default_rng(seed)
    triples = [
        (c, int(e), float(rng.normal(60, noise) + (rng.normal(0, 40) if rng.random() < tail else 0.0)))
        for c in range(n)
        for e in rng.choice(8, 3, replace=False)
    ]
    res = disagreement_flags(triples, max_share=0.10)
    assert len(res.flags) <= 0.10 * res.panels + 1e-9
    for f in res.flags.values():
        assert f.reason in ("spread", "outlier")
        assert (f.evaluator_id is not None) == (f.reason == "outlier")


def test_an_outlying_evaluator_is_named() -> None:
    triples = [(c, e, 60.0 + (c % 7) + 0.5 * e) for c in range(40) for e in range(3)]
    triples = [(c, e, 5.0 if (c, e) == (3, 2) else t) for c, e, t in triples]
    res = disagreement_flags(triples)
    assert res.flags[3].reason == "outlier" and res.flags[3].evaluator_id == 2 and res.flags[3].z < -3.5


def test_too_few_panels_flag_nobody() -> None:
    res = disagreement_flags([(c, e, 10.0 + 80 * e) for c in range(5) for e in range(2)])
    assert res.flags == {} and "only 5" in res.note


def test_a_small_absolute_spread_is_not_flagged() -> None:
    triples = [(c, e, 60.0 + 0.1 * ((c * e) % 4)) for c in range(50) for e in range(3)]
    assert disagreement_flags(triples, min_range=5.0).flags == {}


# --- probabilities of selection --------------------------------------------------------------------------------


def _cands(n: int, scores: np.ndarray) -> list[SelectionCandidate]:
    return [
        SelectionCandidate(i, float(scores[i]), True, {"body": "AB"[i % 2], "sector": "XYZ"[i % 3]})
        for i in range(n)
    ]


QUOTAS = [GroupQuota("body", "A", 2, 6), GroupQuota("body", "B", 2, 6), GroupQuota("sector", "Z", 1, None)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(12, 40))
def test_probabilities_are_shares_and_the_resolver_is_exact(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.normal(60, 10, n)
    cands = _cands(n, scores)
    resolver = Resolver(cands, 8, QUOTAS)
    for _ in range(3):  # the warm-started LP agrees with the exact MILP on the objective
        draw = scores + rng.normal(0, 5, n)
        mask = resolver.solve(draw)
        exact = select(_cands(n, draw), 8, QUOTAS, explain_window=0, tie_break=False)
        assert mask.sum() == 8
        assert draw[mask].sum() == pytest.approx(exact.objective, abs=1e-3)
    totals = {i: list(scores[i] + rng.normal(0, 8, 3)) for i in range(n)}
    res = selection_probabilities(cands, totals, 8, QUOTAS, draws=30, seed=seed)
    assert set(res.probability) == set(range(n))
    assert all(0.0 <= p <= 1.0 for p in res.probability.values())
    assert sum(res.probability.values()) == pytest.approx(8.0)  # every draw selects exactly 8


def test_a_candidacy_far_above_the_cut_is_always_selected() -> None:
    n = 30
    scores = np.linspace(40, 70, n)
    scores[5] = 99.0
    totals = {i: [scores[i] - 6, scores[i], scores[i] + 6] for i in range(n)}
    res = selection_probabilities(_cands(n, scores), totals, 8, QUOTAS, draws=100)
    assert res.probability[5] == 1.0
    assert res.probability[0] < 0.05  # far below


# --- weight sensitivity ----------------------------------------------------------------------------------------


RUBRIC = [Criterion("a", 50, 1, 5), Criterion("b", 30, 1, 5), Criterion("c", 20, 1, 5)]


def test_shifted_weights_still_sum_to_100() -> None:
    up = shifted_rubrics({"d": RUBRIC}, "b", 10.0)
    assert up is not None
    w = {c.code: c.weight for c in up["d"]}
    assert w["b"] == 40.0 and sum(w.values()) == pytest.approx(100.0)
    assert w["a"] / w["c"] == pytest.approx(50 / 20)  # the others rescaled in proportion
    assert shifted_rubrics({"d": [Criterion("a", 100, 1, 5)]}, "a", 10.0) is None  # nothing to move


def test_sensitivity_lists_who_enters_and_leaves() -> None:
    rng = np.random.default_rng(3)
    reviews = [
        Review(
            c,
            e,
            {"a": int(rng.integers(1, 6)), "b": int(rng.integers(1, 6)), "c": int(rng.integers(1, 6))},
            0.0,
            "d",
        )
        for c in range(30)
        for e in range(3)
    ]
    scored = score_reviews(reviews, {"d": RUBRIC})
    cands = _cands(30, np.array([scored.scores[i] for i in range(30)]))
    base = set(select(cands, 10, QUOTAS).selected)
    entries = weight_sensitivity(reviews, {"d": RUBRIC}, cands, 10, QUOTAS, base)
    assert [(e.criterion, e.delta) for e in entries] == [
        ("a", 10.0),
        ("a", -10.0),
        ("b", 10.0),
        ("b", -10.0),
        ("c", 10.0),
        ("c", -10.0),
    ]
    assert any(e.enter for e in entries)
    for e in entries:
        assert len(e.enter) == len(e.leave) and not set(e.enter) & base and set(e.leave) <= base


def test_infeasible_quotas_are_named_in_a_scenario() -> None:
    reviews = [Review(c, e, {"a": 3, "b": 2 + c % 3, "c": 4}, 0.0, "d") for c in range(12) for e in range(2)]
    cands = _cands(12, np.full(12, 50.0))
    bad = [GroupQuota("body", "A", 9, None)]  # six A candidacies only
    entries = weight_sensitivity(reviews, {"d": RUBRIC}, cands, 10, bad, set())
    assert entries and all(e.infeasible and "A" in " ".join(e.infeasible) for e in entries)


def test_alpha_per_group_says_when_too_few() -> None:
    triples = _round(60, 4)
    groups = {c: ("big" if c < 52 else "small") for c in range(60)}
    rel = alpha_by_group(triples, groups)
    assert rel["big"].alpha is not None and rel["big"].alpha > 0.5
    assert rel["small"].alpha is None and "too few reviews" in rel["small"].note


def test_the_design_cache_changes_nothing() -> None:
    triples = _round(80, 5, lenient=8.0)
    cache: dict[str, object] = {}
    first = evaluator_effects(triples, cache=cache)
    moved = [(c, e, t * 0.9 + 3.0) for c, e, t in triples]  # other weights: same reviewers, other totals
    again = evaluator_effects(moved, cache=cache)
    assert "eigh" in cache
    plain = evaluator_effects(moved)
    assert first.effects[0].effect != again.effects[0].effect
    for ev, e in plain.effects.items():
        assert again.effects[ev].effect == pytest.approx(e.effect) and again.effects[ev].se == pytest.approx(
            e.se
        )
