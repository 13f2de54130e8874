"""Candidacy scores from reviews, raw or adjusted for evaluators' leniency, and reliability per group.

The one place that turns reviews into scores for the quality figures (weight scenarios recompute through
it): totals per review by :func:`~nic1000.algorithms.aggregation.weighted_total` (bonus added), evaluator
effects by :func:`~nic1000.algorithms.quality.effects.evaluator_effects`, subtracted when ``adjust`` and
estimable, then the mean or median per candidacy.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nic1000.algorithms.aggregation import Criterion, Review, RoundReliability, reliability, weighted_total
from nic1000.algorithms.quality.effects import EvaluatorEffects, evaluator_effects

__all__ = ["MIN_ALPHA_UNITS", "Scored", "alpha_by_group", "score_reviews"]

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


def score_reviews(
    reviews: Sequence[Review],
    rubrics: Rubrics,
    *,
    method: str = "mean",
    adjust: bool = False,
    effects: EvaluatorEffects | None = None,
) -> Scored:
    """Scores per candidacy; ``adjust`` subtracts each evaluator's effect (estimated here unless given)."""
    triples = [
        (r.candidacy_id, r.evaluator_id, weighted_total(r.scores, rubrics[r.round]) + float(r.bonus))
        for r in reviews
    ]
    eff = effects if effects is not None else evaluator_effects(triples)
    use = adjust and eff.available
    totals: dict[Hashable, list[float]] = {}
    for cand, ev, tot in triples:
        totals.setdefault(cand, []).append(tot - (eff.offset(ev) if use else 0.0))
    agg: Callable[[list[float]], float] = (
        (lambda v: float(np.median(v))) if method == "median" else (lambda v: float(np.mean(v)))
    )
    return Scored({c: agg(v) for c, v in totals.items()}, totals, triples, eff, use)


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
