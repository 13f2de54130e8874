"""Scores from the reviews (raw or leniency-adjusted, as the round's setting says), disagreement flags, and the
decision-quality figures stored with each feasible selection run (`algorithms.quality`): reliability per body,
evaluator effects, the probability of selection under scoring noise, the other calibration's selection, and the
selection with each criterion weight moved ±10 points. Helpers of `services.selection` (its writes run inside
that module's transactions and audit rows)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any, cast

from nic1000.algorithms import aggregation as aggregation_model
from nic1000.algorithms import quality as quality_model
from nic1000.algorithms import selection as selection_model
from nic1000.rounds.models import (
    Candidacy,
    Criterion,
    EvaluatorEffect,
    Review,
    ReviewScore,
    Round,
    RoundSettings,
    SelectionQuality,
    SelectionRun,
)

DEFAULT_RUBRIC = "default"
#: Bootstrap draws of the reviews, each re-solving the selection.
DRAWS = 200
#: Where the committee's agenda starts and ends (probability of selection).
UNCERTAIN = (0.1, 0.9)

Rubrics = dict[Hashable, list[aggregation_model.Criterion]]


def round_rubrics(rnd: Round, settings: RoundSettings) -> Rubrics:
    """Each criteria set of the round (the default set, and a body's own set under its id) on the round's scale."""
    out: Rubrics = defaultdict(list)
    for c in Criterion.objects.filter(round=rnd).order_by("order", "id"):
        out[str(c.body_id or DEFAULT_RUBRIC)].append(
            aggregation_model.Criterion(c.key, c.weight, settings.score_min, settings.score_max)
        )
    return dict(out)  # a set that does not exist is an error, not an empty rubric


def submitted_reviews(
    rnd: Round, candidacies: list[Candidacy], rubrics: Rubrics
) -> list[aggregation_model.Review]:
    """The active submitted reviews, each scored on its candidacy's criteria set (its `round` is the set's key)."""
    rubric_of = {
        c.pk: (str(c.lead_body_id) if str(c.lead_body_id) in rubrics else DEFAULT_RUBRIC) for c in candidacies
    }
    submitted = Review.objects.filter(
        assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
    )
    # three flat queries (rows, scores, bonus) rather than model instances: a round has thousands of reviews
    rows = list(
        submitted.order_by("id").values_list("id", "assignment__candidacy_id", "assignment__evaluator_id")
    )
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for review_id, key, score in ReviewScore.objects.filter(review__in=submitted).values_list(
        "review_id", "criterion__key", "score"
    ):
        scores[review_id][key] = score
    bonus: dict[int, float] = defaultdict(float)
    for review_id, points in Review.bonus_items.through.objects.filter(review__in=submitted).values_list(
        "review_id", "bonusitem__points"
    ):
        bonus[review_id] += float(points)
    return [
        aggregation_model.Review(
            candidacy_id=cand,
            evaluator_id=ev,
            scores=scores[review_id],
            bonus=bonus[review_id],
            round=rubric_of[cand],
        )
        for review_id, cand, ev in rows
    ]


def method_of(settings: RoundSettings) -> str:
    return "median" if settings.aggregation == RoundSettings.Aggregation.MEDIAN else "mean"


@dataclass
class RoundScores:
    """What the aggregation writes: scores (the round's calibration), flags, and the round's alpha."""

    scored: quality_model.Scored
    flags: quality_model.FlagResult
    alpha: float | None


def round_scores(
    rnd: Round, settings: RoundSettings, candidacies: list[Candidacy]
) -> tuple[RoundScores, list[aggregation_model.Review], Rubrics]:
    rubrics = round_rubrics(rnd, settings)
    reviews = submitted_reviews(rnd, candidacies, rubrics)
    scored = quality_model.score_reviews(
        reviews,
        rubrics,
        method=method_of(settings),
        adjust=settings.leniency == RoundSettings.Leniency.ADJUSTED,
    )
    # disagreement among the totals the committee ranks by (adjusted when the round adjusts)
    flag_triples = [
        (cand, ev, tot - (scored.effects.offset(ev) if scored.adjusted else 0.0))
        for cand, ev, tot in scored.triples
    ]
    flags = quality_model.disagreement_flags(flag_triples, min_range=settings.disagreement_threshold)
    rel = aggregation_model.reliability("round", scored.triples)
    alpha = None if rel.alpha is None or rel.alpha != rel.alpha else round(float(rel.alpha), 4)
    return RoundScores(scored, flags, alpha), reviews, rubrics


def apply_scores(candidacies: list[Candidacy], rs: RoundScores) -> list[str]:
    """Write scores, spread and flags onto the candidacies (in memory); returns the fields to save."""
    for c in candidacies:
        totals = rs.scored.totals.get(c.pk, [])
        flag = rs.flags.flags.get(c.pk)
        c.score = rs.scored.scores.get(c.pk)
        c.spread = float(max(totals) - min(totals)) if len(totals) > 1 else None
        c.reviews_count = len(totals)
        c.disagreement = flag is not None
        c.disagreement_reason = flag.reason if flag else ""
        c.disagreement_sd = flag.sd if flag else None
        c.disagreement_z = flag.z if flag else None
        ev = flag.evaluator_id if flag else None
        c.disagreement_evaluator_id = int(ev) if isinstance(ev, int) else None
    return [
        "score",
        "spread",
        "reviews_count",
        "disagreement",
        "disagreement_reason",
        "disagreement_sd",
        "disagreement_z",
        "disagreement_evaluator",
    ]


def quality_record(
    *,
    run: SelectionRun,
    settings: RoundSettings,
    candidacies: list[Candidacy],
    candidates: list[selection_model.SelectionCandidate],
    total: tuple[int | None, int | None],
    quotas: list[selection_model.GroupQuota],
    selected: list[Any],
) -> SelectionQuality:
    """Compute and store the run's quality figures; sets `selection_probability` on the candidacies (the
    caller saves them)."""
    t0 = time.perf_counter()
    rs, reviews, rubrics = round_scores(run.round, settings, candidacies)
    scored = rs.scored
    method = method_of(settings)
    body_of = {c.pk: c.lead_body.code for c in candidacies}
    by_body = quality_model.alpha_by_group(scored.triples, body_of)
    whole = quality_model.alpha_by_group(scored.triples, dict.fromkeys(body_of, "round")).get("round")
    base = set(selected)
    other = quality_model.score_reviews(
        reviews, rubrics, method=method, adjust=not scored.adjusted, effects=scored.effects
    )
    enter: list[Any] = []
    leave: list[Any] = []
    if scored.effects.available:
        moved = [_rescored(c, other.scores) for c in candidates]
        alt = set(selection_model.select(moved, total, quotas, explain_window=0).selected)
        enter, leave = sorted(alt - base), sorted(base - alt)
    probs = quality_model.selection_probabilities(
        candidates, scored.totals, total, quotas, draws=DRAWS, method=method, seed=run.round_id
    )
    sens = quality_model.weight_sensitivity(
        reviews, rubrics, candidates, total, quotas, base, method=method, adjust=scored.adjusted
    )
    for c in candidacies:
        c.selection_probability = probs.probability.get(c.pk)
    lo, hi = UNCERTAIN
    quality = SelectionQuality.objects.create(
        run=run,
        leniency=RoundSettings.Leniency.ADJUSTED if scored.adjusted else RoundSettings.Leniency.RAW,
        alpha=_rounded(whole.alpha) if whole else None,
        alpha_units=whole.n_units if whole else 0,
        alpha_note=(whole.note if whole else "no reviews")[:300],
        alpha_by_body=[
            {"body": str(b), "alpha": _rounded(r.alpha), "units": r.n_units, "note": r.note}
            for b, r in sorted(by_body.items(), key=lambda kv: str(kv[0]))
        ],
        effects_available=scored.effects.available,
        effects_note=scored.effects.reason[:300],
        effects_sigma=scored.effects.sigma,
        effects_tau=scored.effects.tau,
        effects_shrinkage=scored.effects.shrinkage,
        leniency_enter=enter,
        leniency_leave=leave,
        draws=probs.draws,
        uncertain_count=sum(1 for p in probs.probability.values() if lo <= p <= hi),
        flagged_count=len(rs.flags.flags),
        sensitivity=[
            {
                "criterion": e.criterion,
                "delta": e.delta,
                "weights": {k: round(w, 2) for k, w in e.weights.items()},
                "enter": e.enter,
                "leave": e.leave,
                "infeasible": e.infeasible,
            }
            for e in sens
        ],
        seconds=0.0,
    )
    EvaluatorEffect.objects.bulk_create(
        [
            EvaluatorEffect(
                quality=quality,
                evaluator_id=cast(int, e.evaluator_id),
                n_reviews=e.n_reviews,
                effect=e.effect,
                se=e.se,
                applied=e.applied and scored.adjusted,
            )
            for e in scored.effects.effects.values()
        ],
        batch_size=1000,
    )
    quality.seconds = round(time.perf_counter() - t0, 3)
    quality.save(update_fields=["seconds"])
    return quality


def _rescored(
    c: selection_model.SelectionCandidate, scores: dict[Hashable, float]
) -> selection_model.SelectionCandidate:
    return replace(c, score=scores.get(c.id, c.score))


def _rounded(x: float | None) -> float | None:
    return None if x is None or x != x else round(float(x), 4)
