"""Tests for nic1000.algorithms.aggregation (pure; run with -p no:django)."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from nic1000.algorithms.aggregation import (
    AggregationConfig,
    Criterion,
    Review,
    aggregate,
    calibrate_leniency,
    interval_alpha,
    reliability,
    weighted_total,
)

RUBRIC = [Criterion("tech", 40, 1, 5), Criterion("market", 30, 1, 5), Criterion("team", 30, 1, 5)]

# Krippendorff's own example (also in the krippendorff package docs): interval alpha 0.810845
KRIPP_EXAMPLE = [
    [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
    [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
    [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
]


def test_weighted_total_by_hand():
    # 40·(5−1)/4 + 30·(4−1)/4 + 30·(3−1)/4 = 40 + 22.5 + 15
    assert weighted_total({"tech": 5, "market": 4, "team": 3}, RUBRIC) == pytest.approx(77.5)
    assert weighted_total({"tech": 1, "market": 1, "team": 1}, RUBRIC) == 0.0
    hundred = [Criterion("a", 60, 0, 100), Criterion("b", 40, 0, 100)]
    assert weighted_total({"a": 80, "b": 50}, hundred) == pytest.approx(0.6 * 80 + 0.4 * 50)


def test_weighted_total_validation():
    with pytest.raises(ValueError, match="sum to 100"):
        weighted_total({"a": 1}, [Criterion("a", 90)])
    with pytest.raises(ValueError, match="outside its scale"):
        weighted_total({"tech": 6, "market": 1, "team": 1}, RUBRIC)
    with pytest.raises(ValueError, match="missing score"):
        weighted_total({"tech": 3, "market": 1}, RUBRIC)
    with pytest.raises(ValueError, match="unknown criteria"):
        weighted_total({"tech": 3, "market": 1, "team": 1, "x": 2}, RUBRIC)


def example_reviews():
    return [
        Review("C1", "E1", {"tech": 5, "market": 4, "team": 3}, bonus=2),  # 77.5 + 2 = 79.5
        Review("C1", "E2", {"tech": 3, "market": 3, "team": 3}),  # 50
        Review("C1", "E3", {"tech": 1, "market": 1, "team": 1}),  # 0
        Review("C2", "E1", {"tech": 4, "market": 4, "team": 4}),  # 75
        Review("C2", "E2", {"tech": 4, "market": 5, "team": 4}),  # 82.5
    ]


def test_aggregate_numbers_by_hand():
    res = aggregate(example_reviews(), RUBRIC)
    totals = {(r.candidacy_id, r.evaluator_id): r.total for r in res.reviews}
    assert totals == {
        ("C1", "E1"): 79.5,
        ("C1", "E2"): 50.0,
        ("C1", "E3"): 0.0,
        ("C2", "E1"): 75.0,
        ("C2", "E2"): 82.5,
    }
    c1, c2 = res.candidacies
    assert c1.candidacy_id == "C1" and c1.n_reviews == 3
    assert c1.mean == pytest.approx(129.5 / 3)
    assert c1.median == 50.0
    assert c1.sd == pytest.approx(np.std([79.5, 50, 0], ddof=1))
    assert c1.range == 79.5 and c1.min == 0.0 and c1.max == 79.5
    assert c1.disagreement and c1.reasons == ("range 79.5 exceeds 20",)
    assert c2.score == pytest.approx(78.75) and c2.sd == pytest.approx(7.5 / math.sqrt(2))
    assert not c2.disagreement
    # pooled within-panel SD: sqrt((SS_C1 + SS_C2) / (2 + 1))
    ss = np.var([79.5, 50, 0]) * 3 + np.var([75, 82.5]) * 2
    assert res.pooled_sd[1] == pytest.approx(math.sqrt(ss / 3))
    # leave-one-out z for E3 on C1: (0 − 64.75) / (σ_w · sqrt(1 + 1/2))
    e3 = next(r for r in res.reviews if r.evaluator_id == "E3")
    assert e3.z == pytest.approx(-64.75 / (math.sqrt(ss / 3) * math.sqrt(1.5)))


def test_median_method_cap_and_max_sd():
    res = aggregate(
        example_reviews(), RUBRIC, AggregationConfig(method="median", cap=78.0, max_range=None, max_sd=2)
    )
    c1, c2 = res.candidacies
    assert c1.score == 50.0
    assert max(r.total for r in res.reviews) == 78.0  # 79.5 and 82.5 capped
    assert c2.disagreement and "standard deviation" in c2.reasons[0]


def test_outlier_flag_by_z_score():
    # nine calm panels (spread ±1) and one panel where one evaluator is 15 points off
    reviews = []
    for p in range(9):
        for e, s in enumerate((3, 3.1, 2.9)):
            reviews.append(Review(f"P{p}", f"E{e}", {"x": 50 + 10 * s}))
    reviews += [Review("X", "E0", {"x": 80}), Review("X", "E1", {"x": 80}), Review("X", "E2", {"x": 95})]
    res = aggregate(reviews, [Criterion("x", 100, 0, 100)], AggregationConfig(max_range=None))
    x = next(c for c in res.candidacies if c.candidacy_id == "X")
    assert x.disagreement and x.outlier_evaluators == ("E2",)
    assert not any(c.disagreement for c in res.candidacies if c.candidacy_id != "X")


def test_per_round_rubrics_and_reliability_rows():
    reviews = [
        Review("C1", "E1", {"a": 4}, round="doc"),
        Review("C1", "E2", {"a": 5}, round="doc"),
        Review("C1", "E1", {"b": 80}, round="pt"),
    ]
    res = aggregate(reviews, {"doc": [Criterion("a", 100, 1, 5)], "pt": [Criterion("b", 100, 0, 100)]})
    assert [(c.round, c.score) for c in res.candidacies] == [("doc", 87.5), ("pt", 80.0)]
    rel = {r.round: r for r in res.reliability}
    assert rel["pt"].alpha is None and rel["pt"].method == "not_computable"
    # one candidacy with two different totals: D_o = D_e, alpha = 0
    assert rel["doc"].n_units == 1 and rel["doc"].alpha == pytest.approx(0.0)


def test_duplicate_review_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        aggregate([Review("C", "E", {"x": 1}), Review("C", "E", {"x": 2})], [Criterion("x", 100, 0, 5)])


def test_krippendorff_known_example():
    assert krippendorff.alpha(KRIPP_EXAMPLE, level_of_measurement="interval") == pytest.approx(
        0.810845, abs=1e-6
    )
    units = [[v for v in col if not np.isnan(v)] for col in np.array(KRIPP_EXAMPLE).T]
    assert interval_alpha(units) == pytest.approx(0.810845, abs=1e-6)
    triples = [
        (u, r, v) for r, row in enumerate(KRIPP_EXAMPLE) for u, v in enumerate(row) if not math.isnan(v)
    ]
    lib = reliability("R", triples)
    closed = reliability("R", triples, library_limit=0)
    assert lib.method == "krippendorff" and closed.method == "closed_form"
    assert lib.alpha == pytest.approx(0.810845, abs=1e-6)
    assert closed.alpha == pytest.approx(0.810845, abs=1e-6)
    assert lib.n_units == 12 and lib.n_raters == 3


def test_closed_form_matches_library_on_random_rounds():
    rng = np.random.default_rng(0)
    for _ in range(5):
        quality = rng.normal(60, 10, 30)
        triples = []
        for u in range(30):
            for r in rng.choice(8, size=3, replace=False):
                triples.append((u, int(r), float(round(quality[u] + rng.normal(0, 6), 1))))
        a = reliability(1, triples)
        b = reliability(1, triples, library_limit=0)
        assert a.alpha == pytest.approx(b.alpha, abs=1e-9)
        assert 0.3 < a.alpha < 1


def test_frames():
    frames = aggregate(example_reviews(), RUBRIC).frames()
    assert set(frames) == {"reviews", "candidacies", "reliability"}
    assert isinstance(frames["candidacies"], pd.DataFrame)
    assert {"candidacy_id", "score", "sd", "range", "disagreement"} <= set(frames["candidacies"].columns)
    assert len(frames["reviews"]) == 5


# ------------------------------------------------------------------------------------- leniency


def test_leniency_by_hand():
    triples = [("c1", "e1", 80), ("c1", "e2", 70), ("c2", "e1", 60), ("c2", "e2", 50)]
    res = calibrate_leniency(triples, min_reviews=1)
    assert res.offsets["e1"] == pytest.approx(5) and res.offsets["e2"] == pytest.approx(-5)
    assert res.consensus == pytest.approx({"c1": 75, "c2": 55})
    assert res.calibrated == pytest.approx({"c1": 75, "c2": 55})
    assert res.rmse == pytest.approx(0, abs=1e-9)
    assert res.components == 1


def test_leniency_recovers_offsets_and_centres_components():
    rng = np.random.default_rng(3)
    true_b = {"a": 6.0, "b": -6.0, "c": 0.0, "x": 3.0, "y": -3.0}
    triples = []
    for j in range(30):  # component 1: evaluators a, b, c
        q = rng.normal(60, 10)
        for e in ("a", "b", "c"):
            triples.append((f"p{j}", e, q + true_b[e] + rng.normal(0, 0.5)))
    for j in range(20):  # component 2: evaluators x, y
        q = rng.normal(60, 10)
        for e in ("x", "y"):
            triples.append((f"q{j}", e, q + true_b[e] + rng.normal(0, 0.5)))
    res = calibrate_leniency(triples)
    assert res.components == 2
    for e, b in true_b.items():
        assert res.offsets[e] == pytest.approx(b, abs=0.5)
    assert res.offsets["a"] + res.offsets["b"] + res.offsets["c"] == pytest.approx(0, abs=1e-8)
    assert res.offsets["x"] + res.offsets["y"] == pytest.approx(0, abs=1e-8)


def test_leniency_shrinkage_min_reviews_and_dataframe():
    triples = [("c1", "e1", 80), ("c1", "e2", 70), ("c2", "e1", 60), ("c2", "e2", 50), ("c3", "e3", 90)]
    df = pd.DataFrame(triples, columns=["candidacy_id", "evaluator_id", "total"])
    plain = calibrate_leniency(df, min_reviews=3)
    assert not any(plain.applied.values())  # nobody has 3 reviews: nothing adjusted
    assert plain.calibrated["c1"] == pytest.approx(75)  # plain mean
    shrunk = calibrate_leniency(triples, shrinkage=10.0, min_reviews=1)
    assert 0 < shrunk.offsets["e1"] < 5
    assert shrunk.offsets["e3"] == pytest.approx(0, abs=1e-9)
