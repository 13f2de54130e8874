"""Candidacy scores from reviews, raw or adjusted for evaluators' leniency, and reliability per group.

The one place that turns reviews into scores for the quality figures (weight scenarios recompute through
it): totals per review by :func:`~nic1000.algorithms.aggregation.weighted_total` (bonus added), evaluator
effects by :func:`~nic1000.algorithms.quality.effects.evaluator_effects`, subtracted when ``adjust`` and
estimable, then the mean or median per candidacy.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nic1000.algorithms.aggregation import Criterion, Review, RoundReliability, reliability, weighted_total
from nic1000.algorithms.quality.effects import EvaluatorEffects, evaluator_effects

__all__ = ["MIN_ALPHA_UNITS", "ReviewTable", "Scored", "alpha_by_group", "score_reviews"]

#: Fewer candidacies with two reviews than this: alpha is not reported ("too few reviews").
MIN_ALPHA_UNITS = 10

Rubrics = Mapping[Hashable, Sequence[Criterion]]


@dataclass
class Scored:
    scores: dict[Hashable, float]  # candidacy → score (mean or median of its totals)
    totals: dict[Hashable, list[float]]  # candidacy → its review totals (adjusted when `adjusted`)
    triples: list[tuple[Hashable, Hashable, float]]  # (candidacy, evaluator, raw total)
    effects: EvaluatorEffects
    adjusted: bool  # leniency was subtracted


class ReviewTable:
    """The reviews as arrays, so totals under other weights are one matrix product per criteria set.

    Built once (each review checked by ``weighted_total``: scale, missing or unknown criteria); ``totals``
    takes rubrics with the same criteria per set (as :func:`~.sensitivity.shifted_rubrics` gives)."""

    def __init__(self, reviews: Sequence[Review], rubrics: Rubrics):
        self.candidacy = [r.candidacy_id for r in reviews]
        self.evaluator = [r.evaluator_id for r in reviews]
        self.checked = np.array(
            [weighted_total(r.scores, rubrics[r.round]) + float(r.bonus) for r in reviews], dtype=np.float64
        )
        self.bonus = np.array([float(r.bonus) for r in reviews], dtype=np.float64)
        self.sets: dict[
            Hashable, tuple[np.ndarray, np.ndarray]
        ] = {}  # key → (review rows, normalised scores)
        rows_of: dict[Hashable, list[int]] = {}
        for i, r in enumerate(reviews):
            rows_of.setdefault(r.round, []).append(i)
        for key, rows in rows_of.items():
            crits = rubrics[key]
            norm = np.array(
                [
                    [
                        (float(reviews[i].scores[c.code]) - c.scale_min) / (c.scale_max - c.scale_min)
                        for c in crits
                    ]
                    for i in rows
                ],
                dtype=np.float64,
            ).reshape(len(rows), len(crits))
            self.sets[key] = (np.array(rows, dtype=np.int64), norm)

    def totals(self, rubrics: Rubrics | None = None) -> np.ndarray:
        """Each review's total (criteria on 0–100 plus bonus) under ``rubrics`` (None: as built)."""
        if rubrics is None:
            return self.checked
        out = self.bonus.copy()
        for key, (rows, norm) in self.sets.items():
            out[rows] += norm @ np.array([c.weight for c in rubrics[key]], dtype=np.float64)
        return out


def score_reviews(
    reviews: Sequence[Review] | ReviewTable,
    rubrics: Rubrics,
    *,
    method: str = "mean",
    adjust: bool = False,
    effects: EvaluatorEffects | None = None,
    cache: dict[str, Any] | None = None,
) -> Scored:
    """Scores per candidacy; ``adjust`` subtracts each evaluator's effect (estimated here unless given)."""
    if isinstance(reviews, ReviewTable):
        table, tots = reviews, reviews.totals(rubrics).tolist()
    else:
        table = ReviewTable(reviews, rubrics)
        tots = table.totals().tolist()
    triples = list(zip(table.candidacy, table.evaluator, tots, strict=True))
    eff = effects if effects is not None else evaluator_effects(triples, cache=cache)
    use = adjust and eff.available
    totals: dict[Hashable, list[float]] = {}
    for cand, ev, tot in triples:
        totals.setdefault(cand, []).append(tot - (eff.offset(ev) if use else 0.0))
    agg: Callable[[list[float]], float] = statistics.median if method == "median" else statistics.fmean
    return Scored({c: float(agg(v)) for c, v in totals.items()}, totals, triples, eff, use)


def alpha_by_group(
    triples: Sequence[tuple[Hashable, Hashable, float]],
    group_of: Mapping[Any, Hashable],
    *,
    min_units: int = MIN_ALPHA_UNITS,
) -> dict[Hashable, RoundReliability]:
    """Krippendorff's alpha (interval) per group of candidacies; None with a note when too few panels."""
    by: dict[Hashable, list[tuple[Hashable, Hashable, float]]] = {}
    for t in triples:
        by.setdefault(group_of[t[0]], []).append(t)
    out: dict[Hashable, RoundReliability] = {}
    for g, ts in by.items():
        rel = reliability(g, ts)
        if rel.n_units < min_units:
            rel = RoundReliability(
                g,
                None,
                rel.n_units,
                rel.n_raters,
                rel.n_values,
                "not_computable",
                f"too few reviews: {rel.n_units} candidacies with two or more reviews (at least {min_units})",
            )
        elif rel.alpha is not None and np.isnan(rel.alpha):
            rel = RoundReliability(
                g, None, rel.n_units, rel.n_raters, rel.n_values, "not_computable", "no spread"
            )
        out[g] = rel
    return out
