"""Aggregation of evaluator reviews into candidacy scores (pure: numpy / pandas / scipy, no Django).

Per review
----------
``criterion_total = Σ_c weight_c · (score_c − scale_min_c) / (scale_max_c − scale_min_c)``
with criterion weights summing to 100, so the criterion total is on 0–100 whatever the rubric scale (1–5,
0–100 …).  ``total = criterion_total + bonus`` (bonus points are added after normalisation; set
``AggregationConfig.cap`` to clip totals, e.g. at 100).

Per candidacy and round
-----------------------
* ``score``: mean of the review totals (``method="median"`` for the median);
* spread: sample standard deviation (``ddof=1``; None with a single review) and range (max − min);
* ``disagreement``: True when the range exceeds ``max_range`` (default 20 points) or the standard deviation
  exceeds ``max_sd`` (off by default), or when an evaluator is an outlier;
* outlier evaluators: leave-one-out z-score ``z = (x_i − mean of the other panel members) /
  (σ_w · √(1 + 1/(n−1)))``, where σ_w is the pooled within-panel standard deviation of the round
  (``√(Σ_panels Σ (x − panel mean)² / Σ_panels (n − 1))``); flagged when ``|z| > z_threshold`` (2.0).
  The denominator is the standard deviation of ``x_i − mean(others)`` when all reviews of a panel differ
  from the panel's true value by independent errors of spread σ_w.  Only the member(s) with the largest
  |z| of a panel are flagged (one far-off review also pulls the others' leave-one-out z up; in a panel of
  two both members deviate equally and both are flagged).

Per round
---------
Inter-rater reliability: Krippendorff's alpha, interval level (``krippendorff.alpha``) over the
evaluators × candidacies matrix of totals (missing = not assigned).  For very large rounds the library's
value-coincidence matrix grows with the square of the number of distinct totals, so beyond
``alpha_library_limit`` the same statistic is computed in closed form (``interval_alpha``; tests check
both agree).  None when not computable (no candidacy with two reviews, or no variation at all).

Leniency calibration (optional, separate)
-----------------------------------------
:func:`calibrate_leniency` fits ``total_review = θ_candidacy + b_evaluator + ε`` by least squares over the
assignment graph (every candidacy links its evaluators), with ``Σ b = 0`` within each connected component
of that graph (and optional ridge ``shrinkage`` λ·Σb² that pulls offsets of evaluators with few reviews
towards 0).  ``b_e > 0`` means evaluator *e* scores higher than the panels' consensus.  Adjusted totals are
``total − b_e`` (only for evaluators with at least ``min_reviews`` reviews); calibrated candidacy scores
are the mean (or median) of adjusted totals, and ``consensus`` is θ.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import krippendorff
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

__all__ = [
    "AggregationConfig",
    "AggregationResult",
    "CandidacyScore",
    "Criterion",
    "LeniencyResult",
    "Review",
    "ReviewScore",
    "RoundReliability",
    "aggregate",
    "calibrate_leniency",
    "interval_alpha",
    "reliability",
    "weighted_total",
]


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: float  # the weights of one rubric sum to 100
    scale_min: float = 1.0
    scale_max: float = 5.0


@dataclass(frozen=True)
class Review:
    """One evaluator's scores for one candidacy in one round."""

    candidacy_id: Hashable
    evaluator_id: Hashable
    scores: Mapping[str, float]  # criterion code → score on the criterion's scale
    bonus: float = 0.0
    round: Hashable = 1


@dataclass(frozen=True)
class AggregationConfig:
    """How reviews become scores and when a panel counts as disagreeing."""

    method: Literal["mean", "median"] = "mean"
    max_range: float | None = 20.0
    max_sd: float | None = None
    z_threshold: float | None = 2.0
    cap: float | None = None  # clip totals (criterion total + bonus) at this value
    weights_tolerance: float = 1e-6
    alpha_library_limit: int = (
        4_000_000  # units × distinct values above which alpha is computed in closed form
    )


@dataclass(frozen=True)
class ReviewScore:
    """One review's totals and how far it sits from the rest of its panel."""

    round: Hashable
    candidacy_id: Hashable
    evaluator_id: Hashable
    criterion_total: float  # 0–100
    bonus: float
    total: float
    z: float | None = None  # leave-one-out z-score against the rest of the panel
    outlier: bool = False


@dataclass(frozen=True)
class CandidacyScore:
    """One candidacy's score in a round, its spread, and why it is flagged (if it is)."""

    round: Hashable
    candidacy_id: Hashable
    n_reviews: int
    score: float  # mean or median of totals (config.method)
    mean: float
    median: float
    sd: float | None
    range: float
    min: float
    max: float
    disagreement: bool
    reasons: tuple[str, ...] = ()
    outlier_evaluators: tuple[Hashable, ...] = ()


@dataclass(frozen=True)
class RoundReliability:
    """Inter-rater reliability of one round (Krippendorff's alpha, interval)."""

    round: Hashable
    alpha: float | None
    n_units: int  # candidacies with at least two reviews
    n_raters: int
    n_values: int  # pairable review totals
    method: str  # "krippendorff" | "closed_form" | "not_computable"
    note: str = ""


@dataclass
class AggregationResult:
    """Everything :func:`aggregate` computes, per review, per candidacy and per round."""

    reviews: list[ReviewScore]
    candidacies: list[CandidacyScore]
    reliability: list[RoundReliability]
    pooled_sd: dict[Hashable, float | None] = field(default_factory=dict)  # per round

    def frames(self) -> dict[str, pd.DataFrame]:
        """The three lists as DataFrames (for export and inspection)."""
        return {
            "reviews": pd.DataFrame([asdict(r) for r in self.reviews]),
            "candidacies": pd.DataFrame([asdict(c) for c in self.candidacies]),
            "reliability": pd.DataFrame([asdict(r) for r in self.reliability]),
        }


# --------------------------------------------------------------------------------------------- totals


def _check_rubric(criteria: Sequence[Criterion], tol: float) -> None:
    """Refuse a rubric whose weights do not sum to 100, with duplicate codes or empty scales."""
    if not criteria:
        raise ValueError("rubric has no criteria")
    total = sum(c.weight for c in criteria)
    if abs(total - 100.0) > tol:
        raise ValueError(f"criterion weights must sum to 100, got {total:g}")
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate criterion codes")
    for c in criteria:
        if c.weight < 0 or not c.scale_max > c.scale_min:
            raise ValueError(f"criterion {c.code}: weight must be ≥ 0 and scale_max > scale_min")


def weighted_total(scores: Mapping[str, float], criteria: Sequence[Criterion], tol: float = 1e-6) -> float:
    """Criterion total on 0–100 (weights sum to 100; each score normalised by its scale)."""
    _check_rubric(criteria, tol)
    out = 0.0
    for c in criteria:
        if c.code not in scores or scores[c.code] is None:
            raise ValueError(f"missing score for criterion {c.code}")
        s = float(scores[c.code])
        if not (c.scale_min - 1e-9 <= s <= c.scale_max + 1e-9):
            raise ValueError(f"score {s:g} for {c.code} outside its scale {c.scale_min:g}–{c.scale_max:g}")
        out += c.weight * (s - c.scale_min) / (c.scale_max - c.scale_min)
    extra = set(scores) - {c.code for c in criteria}
    if extra:
        raise ValueError(f"scores for unknown criteria: {sorted(map(str, extra))}")
    return out


# ---------------------------------------------------------------------------------------- reliability


def interval_alpha(values_by_unit: Iterable[Sequence[float]]) -> float | None:
    """Krippendorff's alpha (interval metric) in closed form from the values of each unit.

    D_o = (1/n) Σ_u 2(m_u Σx² − (Σx)²)/(m_u − 1) over units with m_u ≥ 2 values (n = their total count);
    D_e = 2(n Σx² − (Σx)²)/(n(n − 1)) over the same values; alpha = 1 − D_o/D_e.
    """
    d_o = 0.0
    all_vals: list[np.ndarray] = []
    for vals in values_by_unit:
        v = np.asarray([x for x in vals if x is not None and not math.isnan(x)], dtype=np.float64)
        m = len(v)
        if m < 2:
            continue
        c = v - v.mean()
        d_o += 2.0 * m * float((c * c).sum()) / (m - 1)
        all_vals.append(v)
    if not all_vals:
        return None
    x = np.concatenate(all_vals)
    n = len(x)
    c = x - x.mean()
    d_e = 2.0 * n * float((c * c).sum()) / (n * (n - 1))
    if d_e <= 0:
        return None
    return 1.0 - (d_o / n) / d_e


def reliability(
    round_id: Hashable,
    totals: Sequence[tuple[Hashable, Hashable, float]],
    library_limit: int = 4_000_000,
) -> RoundReliability:
    """Krippendorff's alpha (interval) of (candidacy, evaluator, total) triples of one round."""
    units: dict[Hashable, list[float]] = defaultdict(list)
    raters: set[Hashable] = set()
    for cand, ev, tot in totals:
        units[cand].append(float(tot))
        raters.add(ev)
    pairable = {u: v for u, v in units.items() if len(v) >= 2}
    n_values = sum(len(v) for v in pairable.values())
    if not pairable:
        return RoundReliability(
            round_id, None, 0, len(raters), 0, "not_computable", "no candidacy has two reviews"
        )
    distinct = len({t for v in pairable.values() for t in v})
    if distinct < 2:
        return RoundReliability(
            round_id, None, len(pairable), len(raters), n_values, "not_computable", "all totals are equal"
        )
    if len(pairable) * distinct <= library_limit and len(raters) * len(pairable) <= 4 * library_limit:
        r_index = {r: j for j, r in enumerate(sorted(raters, key=repr))}
        u_index = {u: j for j, u in enumerate(pairable)}
        mat = np.full((len(r_index), len(u_index)), np.nan)
        for cand, ev, tot in totals:
            if cand in u_index:
                if not math.isnan(mat[r_index[ev], u_index[cand]]):
                    raise ValueError(
                        f"evaluator {ev!r} reviewed candidacy {cand!r} twice in round {round_id!r}"
                    )
                mat[r_index[ev], u_index[cand]] = float(tot)
        alpha = float(krippendorff.alpha(reliability_data=mat, level_of_measurement="interval"))
        return RoundReliability(round_id, alpha, len(pairable), len(raters), n_values, "krippendorff")
    alpha_cf = interval_alpha(pairable.values())
    return RoundReliability(round_id, alpha_cf, len(pairable), len(raters), n_values, "closed_form")


# ---------------------------------------------------------------------------------------- aggregation


#: One review's figures: (round, candidacy, evaluator, criterion total, bonus, total).
_ReviewRow = tuple[Hashable, Hashable, Hashable, float, float, float]
#: (round, candidacy) → positions of its reviews: one panel.
_Panels = dict[tuple[Hashable, Hashable], list[int]]


def aggregate(
    reviews: Iterable[Review],
    criteria: Sequence[Criterion] | Mapping[Hashable, Sequence[Criterion]],
    config: AggregationConfig | None = None,
) -> AggregationResult:
    """Review totals, candidacy scores with spread and disagreement flags, and per-round reliability.

    ``criteria`` is one rubric for all rounds or a mapping round → rubric.
    """
    config = config or AggregationConfig()
    if config.method not in ("mean", "median"):
        raise ValueError("method must be 'mean' or 'median'")
    base = _review_rows(reviews, criteria, config)
    panels: _Panels = defaultdict(list)
    for i, (rnd, cand, *_rest) in enumerate(base):
        panels[(rnd, cand)].append(i)
    totals = np.array([b[5] for b in base], dtype=np.float64)
    rounds = list(dict.fromkeys(b[0] for b in base))
    pooled = _pooled_sd(panels, totals, rounds)
    z = _leave_one_out_z(panels, totals, pooled)
    outlier = _outliers(panels, z, config.z_threshold)
    review_scores = [
        ReviewScore(
            rnd, cand, ev, ct, bonus, tot, None if math.isnan(z[i]) else float(z[i]), bool(outlier[i])
        )
        for i, (rnd, cand, ev, ct, bonus, tot) in enumerate(base)
    ]
    cand_scores = [
        _candidacy_score(rnd, cand, idx, base, totals, z, outlier, config)
        for (rnd, cand), idx in panels.items()
    ]
    rel = [
        reliability(r, [(b[1], b[2], b[5]) for b in base if b[0] == r], config.alpha_library_limit)
        for r in rounds
    ]
    return AggregationResult(review_scores, cand_scores, rel, pooled)


def _review_rows(
    reviews: Iterable[Review],
    criteria: Sequence[Criterion] | Mapping[Hashable, Sequence[Criterion]],
    config: AggregationConfig,
) -> list[_ReviewRow]:
    """Each review's criterion total and total (bonus added, capped), refusing a duplicate review."""

    def rubric_of(round_id: Hashable) -> Sequence[Criterion]:
        return criteria[round_id] if isinstance(criteria, Mapping) else criteria

    base: list[_ReviewRow] = []
    seen: set[tuple[Hashable, Hashable, Hashable]] = set()
    for rv in reviews:
        key = (rv.round, rv.candidacy_id, rv.evaluator_id)
        if key in seen:
            raise ValueError(f"duplicate review {key!r}")
        seen.add(key)
        ct = weighted_total(rv.scores, rubric_of(rv.round), config.weights_tolerance)
        tot = ct + float(rv.bonus)
        if config.cap is not None:
            tot = min(tot, config.cap)
        base.append((rv.round, rv.candidacy_id, rv.evaluator_id, ct, float(rv.bonus), tot))
    return base


def _pooled_sd(panels: _Panels, totals: np.ndarray, rounds: list[Hashable]) -> dict[Hashable, float | None]:
    """Pooled within-panel standard deviation per round (None without a panel of two)."""
    ss: dict[Hashable, float] = defaultdict(float)
    dof: dict[Hashable, int] = defaultdict(int)
    for (rnd, _), idx in panels.items():
        if len(idx) >= 2:
            v = totals[idx]
            ss[rnd] += float(((v - v.mean()) ** 2).sum())
            dof[rnd] += len(idx) - 1
    return {r: (math.sqrt(ss[r] / dof[r]) if dof[r] > 0 else None) for r in rounds}


def _leave_one_out_z(panels: _Panels, totals: np.ndarray, pooled: dict[Hashable, float | None]) -> np.ndarray:
    """Each review against the mean of the rest of its panel, in units of that difference's spread."""
    z = np.full(len(totals), np.nan)
    for (rnd, _), idx in panels.items():
        n = len(idx)
        sw = pooled[rnd]
        if n < 2 or not sw:
            continue
        v = totals[idx]
        others = (v.sum() - v) / (n - 1)
        z[idx] = (v - others) / (sw * math.sqrt(1.0 + 1.0 / (n - 1)))
    return z


def _outliers(panels: _Panels, z: np.ndarray, threshold: float | None) -> np.ndarray:
    """Per panel, the member(s) deviating most from the rest, if beyond the threshold (one far-off review
    also pulls the others' z up, so only the largest is flagged)."""
    outlier = np.zeros(len(z), dtype=bool)
    if threshold is None:
        return outlier
    for idx in panels.values():
        zi = np.abs(z[idx])
        if len(idx) < 2 or np.isnan(zi).all():
            continue
        top = np.nanmax(zi)
        if top > threshold:
            outlier[np.asarray(idx)[zi >= top - 1e-12]] = True
    return outlier


def _candidacy_score(
    rnd: Hashable,
    cand: Hashable,
    idx: list[int],
    base: list[_ReviewRow],
    totals: np.ndarray,
    z: np.ndarray,
    outlier: np.ndarray,
    config: AggregationConfig,
) -> CandidacyScore:
    """One panel's score, spread, and the reasons it is flagged as a disagreement."""
    v = totals[idx]
    n = len(v)
    mean = float(v.mean())
    median = float(np.median(v))
    sd = float(v.std(ddof=1)) if n >= 2 else None
    rng = float(v.max() - v.min())
    reasons: list[str] = []
    if config.max_range is not None and rng > config.max_range:
        reasons.append(f"range {rng:.1f} exceeds {config.max_range:g}")
    if config.max_sd is not None and sd is not None and sd > config.max_sd:
        reasons.append(f"standard deviation {sd:.1f} exceeds {config.max_sd:g}")
    outs = tuple(base[i][2] for i in idx if outlier[i])
    for i in idx:
        if outlier[i]:
            reasons.append(f"evaluator {base[i][2]} deviates from the panel (z = {z[i]:+.2f})")
    return CandidacyScore(
        round=rnd,
        candidacy_id=cand,
        n_reviews=n,
        score=mean if config.method == "mean" else median,
        mean=mean,
        median=median,
        sd=sd,
        range=rng,
        min=float(v.min()),
        max=float(v.max()),
        disagreement=bool(reasons),
        reasons=tuple(reasons),
        outlier_evaluators=outs,
    )


# ---------------------------------------------------------------------------------------- calibration


@dataclass
class LeniencyResult:
    """Evaluator offsets of :func:`calibrate_leniency` and the scores adjusted by them."""

    offsets: dict[Hashable, float]  # evaluator → b_e (positive: lenient)
    applied: dict[Hashable, bool]  # evaluator → offset applied (enough reviews)
    n_reviews: dict[Hashable, int]
    consensus: dict[Hashable, float]  # candidacy → θ
    calibrated: dict[Hashable, float]  # candidacy → mean/median of adjusted totals
    adjusted: list[tuple[Hashable, Hashable, float, float]]  # (candidacy, evaluator, total, adjusted total)
    components: int  # connected components of the review graph
    rmse: float  # residual RMS of the fitted model


def _triples(
    reviews: Sequence[ReviewScore] | Sequence[tuple[Hashable, Hashable, float]] | pd.DataFrame,
) -> list[tuple[Any, ...]]:
    """(candidacy, evaluator, total) of each review, whatever form the reviews come in."""
    if isinstance(reviews, pd.DataFrame):
        return list(
            zip(reviews["candidacy_id"], reviews["evaluator_id"], reviews["total"].astype(float), strict=True)
        )
    return [
        (r.candidacy_id, r.evaluator_id, float(r.total)) if isinstance(r, ReviewScore) else tuple(r)
        for r in reviews
    ]


def _fit_leniency(
    rc: np.ndarray, re_: np.ndarray, y: np.ndarray, nc: int, ne: int, shrinkage: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Least squares ``y = θ[candidacy] + b[evaluator]`` (ridge ``shrinkage`` on b): (θ, b, components).

    Without shrinkage b is identified by Σ b = 0 within each connected component of the review graph."""
    rows = np.arange(len(y))
    design = sp.csr_matrix(
        (np.ones(2 * len(y)), (np.r_[rows, rows], np.r_[rc, nc + re_])), shape=(len(y), nc + ne)
    )
    if shrinkage > 0:
        pen = sp.csr_matrix(
            (np.full(ne, math.sqrt(shrinkage)), (np.arange(ne), nc + np.arange(ne))), shape=(ne, nc + ne)
        )
        design = sp.vstack([design, pen]).tocsr()
        y_fit = np.r_[y, np.zeros(ne)]
    else:
        y_fit = y
    # centre y for better conditioning; the mean goes back into θ
    mu = float(y.mean())
    y_fit = y_fit - np.r_[np.full(len(y), mu), np.zeros(len(y_fit) - len(y))]
    sol = lsqr(design, y_fit, atol=1e-12, btol=1e-12, iter_lim=20 * (nc + ne) + 100)[0]
    theta, b = sol[:nc] + mu, sol[nc:].copy()
    adj = sp.csr_matrix((np.ones(len(y)), (rc, nc + re_)), shape=(nc + ne, nc + ne))
    n_comp, labels = connected_components(adj, directed=False)
    if shrinkage <= 0:
        for k in range(n_comp):
            em = labels[nc:] == k
            if em.any():
                shift = b[em].mean()
                b[em] -= shift
                theta[labels[:nc] == k] += shift
    return theta, b, int(n_comp)


def calibrate_leniency(
    reviews: Sequence[ReviewScore] | Sequence[tuple[Hashable, Hashable, float]] | pd.DataFrame,
    *,
    shrinkage: float = 0.0,
    min_reviews: int = 3,
    method: Literal["mean", "median"] = "mean",
) -> LeniencyResult:
    """Evaluator leniency offsets by least squares over the assignment graph (one round at a time).

    ``reviews``: :class:`ReviewScore` items, ``(candidacy, evaluator, total)`` triples, or a DataFrame with
    columns ``candidacy_id``, ``evaluator_id``, ``total``.
    """
    triples = _triples(reviews)
    if not triples:
        raise ValueError("no reviews")
    cands = list(dict.fromkeys(t[0] for t in triples))
    evals = list(dict.fromkeys(t[1] for t in triples))
    ci = {c: j for j, c in enumerate(cands)}
    ei = {e: j for j, e in enumerate(evals)}
    rc = np.array([ci[t[0]] for t in triples])
    re_ = np.array([ei[t[1]] for t in triples])
    y = np.array([t[2] for t in triples], dtype=np.float64)
    ne = len(evals)
    theta, b, n_comp = _fit_leniency(rc, re_, y, len(cands), ne, shrinkage)
    counts = np.bincount(re_, minlength=ne)
    applied = counts >= min_reviews
    adj_tot = y - np.where(applied[re_], b[re_], 0.0)
    per_c: dict[Hashable, list[float]] = defaultdict(list)
    for (cand, _, _), a in zip(triples, adj_tot, strict=True):
        per_c[cand].append(float(a))
    agg = np.mean if method == "mean" else np.median
    resid = y - theta[rc] - b[re_]
    return LeniencyResult(
        offsets={e: float(b[j]) for e, j in ei.items()},
        applied={e: bool(applied[j]) for e, j in ei.items()},
        n_reviews={e: int(counts[j]) for e, j in ei.items()},
        consensus={c: float(theta[j]) for c, j in ci.items()},
        calibrated={c: float(agg(v)) for c, v in per_c.items()},
        adjusted=[(t[0], t[1], t[2], float(a)) for t, a in zip(triples, adj_tot, strict=True)],
        components=n_comp,
        rmse=float(np.sqrt(np.mean(resid**2))),
    )
