"""Tests for nic1000.algorithms.selection (pure; run with -p no:django)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from nic1000.algorithms.selection import (
    GroupQuota,
    SelectionCandidate,
    SelectionInfeasible,
    diagnose_selection,
    select,
)

C = SelectionCandidate
Q = GroupQuota


def feasible_sets(cands, total, quotas):
    lo, hi = (total, total) if isinstance(total, int) else total
    n = len(cands)
    for size in range(lo, hi + 1):
        for sub in itertools.combinations(range(n), size):
            s = set(sub)
            ok = all(
                not (c.forced == "in" and i not in s)
                and not (c.forced == "out" and i in s)
                and not (i in s and not c.eligible and c.forced != "in")
                for i, c in enumerate(cands)
            )
            for q in quotas:
                k = sum(1 for i in s if cands[i].groups.get(q.family) == q.group)
                if k < q.min or (q.max is not None and k > q.max):
                    ok = False
            if ok:
                yield s


def brute_best(cands, total, quotas):
    best = None
    for s in feasible_sets(cands, total, quotas):
        v = round(sum(cands[i].score for i in s), 6)
        if best is None or v > best:
            best = v
    return best


def check_feasible(res, cands, total, quotas):
    by_id = {c.id: c for c in cands}
    chosen = set(res.selected)
    lo, hi = (total, total) if isinstance(total, int) else total
    assert lo <= len(chosen) <= hi
    for c in cands:
        if c.forced == "in":
            assert c.id in chosen
        if c.forced == "out":
            assert c.id not in chosen
        if not c.eligible and c.forced != "in":
            assert c.id not in chosen
    for q in quotas:
        k = sum(1 for i in chosen if by_id[i].groups.get(q.family) == q.group)
        assert k >= q.min and (q.max is None or k <= q.max), q


# -------------------------------------------------------------------------------------------- basics


def test_no_quotas_takes_top_scores():
    cands = [C(f"c{i}", s) for i, s in enumerate([70, 90, 80, 60, 85])]
    res = select(cands, 3)
    assert res.selected == ["c1", "c4", "c2"]  # merit order
    assert res.status == "optimal" and res.proven_optimal and res.mip_gap == 0.0
    assert res.objective == pytest.approx(255)
    assert res.bound == pytest.approx(255)
    assert res.cutoff_score == 80
    assert [r.merit_rank for r in res.ranking] == [1, 2, 3, 4, 5]
    assert [r.selection_rank for r in res.ranking] == [1, 2, 3, None, None]


def test_total_range_fills_to_max_with_positive_scores():
    cands = [C(i, 50 + i) for i in range(6)]
    res = select(cands, (2, 4))
    assert sorted(res.selected) == [2, 3, 4, 5]


def test_forced_in_out_and_eligibility():
    cands = [
        C("a", 95, forced="out"),
        C("b", 90, eligible=False),
        C("c", 10, eligible=False, forced="in"),
        C("d", 80),
        C("e", 70),
    ]
    res = select(cands, 2)
    assert set(res.selected) == {"c", "d"}
    exp = {e.id: e for e in res.explanations}
    assert exp["a"].code == "forced_out"
    assert exp["c"].code == "forced_in" and "ineligible" in exp["c"].message


def test_quota_max_and_min_explanations():
    # body A has the three best candidacies but at most 2 may be chosen; sector BIG3 needs 1.
    cands = [
        C("a1", 95, groups={"body": "A", "sector": "other"}),
        C("a2", 94, groups={"body": "A", "sector": "other"}),
        C("a3", 93, groups={"body": "A", "sector": "other"}),
        C("b1", 80, groups={"body": "B", "sector": "other"}),
        C("b2", 79, groups={"body": "B", "sector": "other"}),
        C("b3", 50, groups={"body": "B", "sector": "BIG3"}),
    ]
    quotas = [Q("body", "A", max=2), Q("sector", "BIG3", min=1)]
    res = select(cands, 4, quotas)
    assert set(res.selected) == {"a1", "a2", "b1", "b3"}
    exp = {e.id: e for e in res.explanations}
    assert exp["a3"].code == "quota_max"
    assert exp["a3"].message == "excluded: body 'A' at its maximum 2"
    assert exp["a3"].constraints == ("body:A:max",)
    assert exp["b3"].code == "quota_min"
    assert exp["b3"].message == "included: sector 'BIG3' minimum 1 required it"
    assert exp["b2"].code == "quota_min_elsewhere"
    assert "sector 'BIG3' minimum 1" in exp["b2"].message
    assert exp["a1"].code == "within_cutoff"
    assert set(res.binding) >= {"total:max", "body:A:max", "sector:BIG3:min"}
    assert res.group_counts[("body", "A")] == 2


def test_quota_max_elsewhere_explanation():
    # one place; the best candidacy's body is full because a forced-in candidacy took its only place
    cands = [
        C("f", 10, groups={"body": "A"}, forced="in"),
        C("a", 90, groups={"body": "A"}),
        C("b", 60, groups={"body": "B"}),
        C("c", 50, groups={"body": "B"}),
    ]
    res = select(cands, 2, [Q("body", "A", max=1)])
    assert set(res.selected) == {"f", "b"}
    exp = {e.id: e for e in res.explanations}
    assert exp["a"].code == "quota_max"
    assert exp["b"].code == "quota_max_elsewhere"
    assert "body 'A' maximum 1" in exp["b"].message
    assert exp["c"].code == "below_cutoff"


# -------------------------------------------------------------------------------------- tie-breaking


def test_tie_break_order_technology_then_nomination_then_id():
    d = dt.date
    cands = [
        C("z", 80.0, technology_score=3, nominated_at=d(2025, 3, 1)),
        C("y", 80.0, technology_score=5, nominated_at=d(2025, 4, 1)),  # best technology
        C("x", 80.0, technology_score=3, nominated_at=d(2025, 2, 1)),  # earlier than z
        C("w", 80.0, technology_score=3, nominated_at=d(2025, 2, 1)),  # same as x, smaller id
    ]
    assert select(cands, 1).selected == ["y"]
    assert select(cands, 2).selected == ["y", "w"]
    res = select(cands, 3)
    assert res.selected == ["y", "w", "x"]
    exp = {e.id: e for e in res.explanations}
    assert exp["z"].code == "tie_break_lost"
    assert "earlier nomination" in exp["z"].message
    assert exp["x"].code == "tie_break_won"


def test_tie_break_never_overrides_score():
    cands = [C("a", 80.0001, technology_score=0), C("b", 80.0, technology_score=100)]
    assert select(cands, 1).selected == ["a"]
    # below score_decimals the scores are equal and the tie-break decides
    cands = [C("a", 80.00001, technology_score=0), C("b", 80.0, technology_score=100)]
    assert select(cands, 1).selected == ["b"]


def test_tie_break_across_groups_second_stage():
    # two equally good score-optimal sets that differ across cells; the better-ranked one must win
    cands = [
        C("p", 50, groups={"region": "R1"}, technology_score=1),
        C("q", 50, groups={"region": "R2"}, technology_score=9),
        C("r", 70, groups={"region": "R1"}),
    ]
    res = select(cands, 2, [Q("region", "R1", max=1)])
    assert set(res.selected) == {"r", "q"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scores=st.lists(st.integers(0, 4), min_size=4, max_size=12),
    techs=st.lists(st.integers(0, 2), min_size=12, max_size=12),
    groups=st.lists(st.integers(0, 2), min_size=12, max_size=12),
    perm_seed=st.integers(0, 10_000),
)
def test_permutation_invariant(scores, techs, groups, perm_seed):
    n = len(scores)
    cands = [
        C(f"c{i:02d}", float(scores[i]), groups={"body": f"B{groups[i]}"}, technology_score=float(techs[i]))
        for i in range(n)
    ]
    total = max(1, n // 2)
    quotas = [
        Q("body", "B0", max=max(1, total // 2)),
        Q("body", "B1", min=min(1, sum(g == 1 for g in groups[:n]))),
    ]
    try:
        base = select(cands, total, quotas)
    except SelectionInfeasible:
        return
    perm = np.random.default_rng(perm_seed).permutation(n)
    other = select([cands[i] for i in perm], total, quotas)
    assert other.selected == base.selected
    assert [r.id for r in other.ranking] == [r.id for r in base.ranking]


# --------------------------------------------------------------------------------- brute force (PBT)


@st.composite
def small_problems(draw):
    n = draw(st.integers(2, 8))
    cands = []
    for i in range(n):
        forced = draw(st.sampled_from([None] * 8 + ["in", "out"]))
        cands.append(
            C(
                f"c{i}",
                float(draw(st.integers(40, 50))),
                eligible=draw(st.booleans()) or draw(st.booleans()),
                groups={"body": draw(st.sampled_from("ABC")), "sector": draw(st.sampled_from("XY"))},
                forced=forced,
            )
        )
    lo = draw(st.integers(1, n))
    total = lo if draw(st.booleans()) else (lo, draw(st.integers(lo, n)))
    quotas = []
    for g in "ABC":
        if draw(st.booleans()):
            mn = draw(st.integers(0, 2))
            quotas.append(Q("body", g, min=mn, max=draw(st.one_of(st.none(), st.integers(mn, 3)))))
    if draw(st.booleans()):
        quotas.append(
            Q("sector", "X", min=draw(st.integers(0, 2)), max=draw(st.one_of(st.none(), st.integers(2, 4))))
        )
    return cands, total, quotas


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_matches_brute_force(problem):
    cands, total, quotas = problem
    quotas = [q for q in quotas if q.max is None or q.min <= q.max]
    best = brute_best(cands, total, quotas)
    try:
        res = select(cands, total, quotas)
    except SelectionInfeasible as exc:
        assert best is None, f"said infeasible, brute force found {best}"
        assert exc.diagnoses and all(d.message for d in exc.diagnoses)
        return
    assert best is not None
    check_feasible(res, cands, total, quotas)
    assert res.objective == pytest.approx(best)
    assert res.proven_optimal and res.mip_gap == 0.0
    for e in res.explanations:
        assert e.code != "joint_constraints", e


def test_medium_instance_matches_plain_milp():
    """CG + reduced-cost fixing gives the same optimum as one plain HiGHS MILP over all binaries."""
    rng = np.random.default_rng(42)
    n, total = 1500, 100
    score = np.round(rng.normal(60, 10, n), 1)  # many ties
    fam = {"body": rng.integers(0, 5, n), "sector": rng.integers(0, 4, n), "region": rng.integers(0, 6, n)}
    cands = [
        C(
            i,
            float(score[i]),
            groups={f: f"{f[0]}{fam[f][i]}" for f in fam},
            eligible=bool(rng.random() < 0.95),
        )
        for i in range(n)
    ]
    quotas = [Q("body", f"b{j}", min=15, max=24) for j in range(5)]
    quotas += [Q("sector", f"s{j}", min=22, max=28) for j in range(4)]
    quotas += [Q("region", f"r{j}", min=14, max=19) for j in range(6)]
    res = select(cands, total, quotas)
    check_feasible(res, cands, total, quotas)

    elig = np.array([c.eligible for c in cands])
    rows = [np.ones(n)]
    lo, hi = [total], [total]
    for q in quotas:
        f, g = q.family, int(q.group[1:])
        rows.append((fam[f] == g).astype(float))
        lo.append(q.min)
        hi.append(q.max)
    ref = milp(
        -np.rint(score * 10),
        integrality=np.ones(n),
        bounds=Bounds(0, elig.astype(float)),
        constraints=LinearConstraint(sp.csr_matrix(np.vstack(rows)), lo, hi),
        options={"mip_rel_gap": 0},
    )
    assert ref.status == 0
    assert res.objective == pytest.approx(-ref.fun / 10)
    assert res.proven_optimal


# ---------------------------------------------------------------------------------------- diagnoses


def codes(exc_info):
    return [d.code for d in exc_info.value.diagnoses]


def test_diagnosis_group_minimum_exceeds_available():
    cands = [C(i, 50, groups={"sector": "biohealth" if i < 31 else "ict"}) for i in range(100)]
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 60, [Q("sector", "biohealth", min=40)])
    d = ei.value.diagnoses[0]
    assert d.code == "quota_min_exceeds_available"
    assert d.message == "sector 'biohealth' minimum 40 but only 31 eligible candidacies"
    assert d.constraints == ("sector:biohealth:min",)


def test_diagnosis_family_minimum_sum_exceeds_total():
    cands = [C(i, 50, groups={"body": f"B{i % 4}"}) for i in range(1000)]
    quotas = [Q("body", f"B{j}", min=85) for j in range(4)]
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 320, quotas)
    assert "family_min_sum_exceeds_total" in codes(ei)
    assert "sum of body minimums 340 exceeds total 320" in str(ei.value)


def test_diagnosis_family_max_sum_below_total_and_others():
    cands = [C(i, 50, groups={"body": f"B{i % 2}"}) for i in range(10)]
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 8, [Q("body", "B0", max=2), Q("body", "B1", max=3)])
    assert "family_max_sum_below_total" in codes(ei)
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 11)
    assert codes(ei) == ["total_exceeds_available"]
    with pytest.raises(SelectionInfeasible) as ei:
        select([C(i, 1, forced="in", groups={"body": "B0"}) for i in range(3)], 3, [Q("body", "B0", max=2)])
    assert "forced_exceeds_quota_max" in codes(ei)
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 5, [Q("body", "B0", min=3, max=2)])
    assert "quota_bounds" in codes(ei)
    with pytest.raises(SelectionInfeasible) as ei:
        select([C(i, 1, forced="in") for i in range(3)], 2)
    assert "forced_exceeds_total" in codes(ei)


def test_diagnosis_irreducible_infeasible_subset():
    # Every body-A candidacy is in sector X.  Body A needs 3, sector X allows 2: not obvious by counting.
    cands = [C(f"a{i}", 50, groups={"body": "A", "sector": "X"}) for i in range(5)]
    cands += [C(f"b{i}", 50, groups={"body": "B", "sector": "Y"}) for i in range(5)]
    quotas = [
        Q("body", "A", min=3),
        Q("body", "B", min=1, max=5),
        Q("sector", "X", max=2),
        Q("sector", "Y", min=1),
    ]
    with pytest.raises(SelectionInfeasible) as ei:
        select(cands, 6, quotas)
    (d,) = ei.value.diagnoses
    assert d.code == "irreducible_infeasible_subset"
    assert set(d.constraints) == {"body:A:min", "sector:X:max"}
    assert "body 'A' minimum 3" in d.message and "sector 'X' maximum 2" in d.message
    assert diagnose_selection(cands, 6, quotas)[0].constraints == d.constraints
    assert diagnose_selection(cands, 6, quotas[1:]) == []


def test_invalid_input():
    with pytest.raises(ValueError):
        select([C("a", 1), C("a", 2)], 1)
    with pytest.raises(ValueError):
        select([C("a", float("nan"))], 1)
    with pytest.raises(ValueError):
        select([C("a", 1)], 1, [Q("body", "A"), Q("body", "A")])


@pytest.mark.parametrize("seed", [248, 498, 682, 693])
def test_fractional_lp_relaxation_still_exact(seed):
    """Three crossing families make the LP relaxation fractional; the fixing loop must still be exact."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 9))
    cands = [
        C(
            f"c{i}",
            float(rng.integers(1, 30)),
            groups={
                "f1": str(rng.integers(0, 2)),
                "f2": str(rng.integers(0, 2)),
                "f3": str(rng.integers(0, 2)),
            },
        )
        for i in range(n)
    ]
    total = int(rng.integers(2, n))
    quotas = [
        Q(f, str(g), min=int(rng.integers(0, 2)), max=int(rng.integers(1, 3)))
        for f in ("f1", "f2", "f3")
        for g in (0, 1)
    ]
    quotas = [q for q in quotas if q.min <= q.max]
    res = select(cands, total, quotas)
    assert res.solver["lp_bound_scaled"] > res.solver["objective_scaled"]  # a real integrality gap
    assert res.objective == pytest.approx(brute_best(cands, total, quotas))
    assert res.proven_optimal and res.mip_gap == 0.0
    check_feasible(res, cands, total, quotas)
