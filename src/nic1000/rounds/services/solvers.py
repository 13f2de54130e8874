"""The one place the rounds services meet the pure modules (`nic1000.algorithms.*`): plain data in and out.

Keeping the calls here means the services do not depend on the modules' exact signatures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from nic1000.core.errors import ErrorDetail, ValidationFailed


@dataclass
class QuotaSpec:
    family: str  # "body" or "sector"
    name: str  # the group: body code or sector key
    min_count: int | None = None
    max_count: int | None = None


@dataclass
class SelectionOutcome:
    feasible: bool
    selected: list[int] = field(default_factory=list)
    ranks: dict[int, int] = field(default_factory=dict)
    deciding: dict[int, str] = field(default_factory=dict)
    objective: float | None = None
    diagnosis: list[dict[str, Any]] = field(default_factory=list)
    proven_optimal: bool = False


def affinity(
    *, evaluators: Sequence[Mapping[str, Any]], candidacies: Sequence[Mapping[str, Any]]
) -> np.ndarray:
    """Candidacy × evaluator affinity in [0, 1] (`algorithms.affinity.compute_affinity`).

    evaluators: {"sections": [...], "keywords": [...], "text": str}; candidacies: {"ksic": code,
    "keywords": [...], "ipc": [...], "text": str}."""
    from nic1000.algorithms import affinity as mod

    matrix = mod.compute_affinity(
        [
            mod.CandidacyProfile(
                ksic_code=c.get("ksic", ""),
                keywords=tuple(c.get("keywords", ())),
                ipc_classes=tuple(c.get("ipc", ())),
                text=c.get("text", ""),
            )
            for c in candidacies
        ],
        [
            mod.EvaluatorExpertise(
                ksic_sections=tuple(e.get("sections", ())),
                keywords=tuple(e.get("keywords", ())),
                text=e.get("text", ""),
            )
            for e in evaluators
        ],
    )
    return np.asarray(matrix, dtype=float)


def assign(
    *,
    affinity: np.ndarray,
    k: int,
    load_min: int,
    load_max: int,
    forbidden: np.ndarray,
    locked: Sequence[tuple[int, int]],
    candidacy_labels: Sequence[str],
    evaluator_labels: Sequence[str],
) -> list[tuple[int, int]]:
    """Optimal pairs (candidacy index, evaluator index); infeasible → ValidationFailed naming candidacies."""
    from nic1000.algorithms import assignment as mod

    try:
        result = mod.assign(
            affinity,
            reviews_per_candidacy=k,
            min_load=load_min,
            max_load=load_max,
            forbidden=forbidden,
            locked=list(locked) or None,
            candidacy_ids=list(candidacy_labels),
            evaluator_ids=list(evaluator_labels),
        )
    except mod.AssignmentInfeasible as exc:
        details = []
        for d in exc.diagnoses:
            names = ", ".join(str(candidacy_labels[i]) for i in d.candidacies[:10])
            more = f" (+{len(d.candidacies) - 10})" if len(d.candidacies) > 10 else ""
            details.append(ErrorDetail(message=d.message, field=(names + more) or None, code=d.code))
        raise ValidationFailed(
            _("No assignment can give every candidacy its evaluators."),
            details,
            code="assignment_infeasible",
        ) from None
    return [(int(p.candidacy), int(p.evaluator)) for p in result.pairs]


@dataclass
class ReviewData:
    candidacy_id: int
    evaluator_id: int
    scores: dict[str, int]  # criterion key → score
    bonus: float
    rubric: str  # key of the criteria set the scores follow


@dataclass
class CriterionData:
    key: str
    weight: int
    scale_min: int
    scale_max: int


@dataclass
class CandidacyAggregate:
    score: float
    spread: float | None  # range of the evaluators' totals (max − min); None with one review
    sd: float | None
    disagreement: bool
    reasons: tuple[str, ...]


@dataclass
class AggregateOutcome:
    by_candidacy: dict[int, CandidacyAggregate]
    review_totals: dict[tuple[int, int], float]
    alpha: float | None


def weighted_total(*, scores: Mapping[str, int], criteria: Sequence[CriterionData]) -> float:
    """One review's criterion total on 0–100 (score normalised on its scale × weight)."""
    from nic1000.algorithms import aggregation as mod

    return float(
        mod.weighted_total(
            dict(scores), [mod.Criterion(c.key, c.weight, c.scale_min, c.scale_max) for c in criteria]
        )
    )


def aggregate(
    *,
    reviews: Sequence[ReviewData],
    rubrics: Mapping[str, Sequence[CriterionData]],
    method: str,
    disagreement_threshold: float,
) -> AggregateOutcome:
    """Mean (or median) of the review totals per candidacy, spread and disagreement, Krippendorff's alpha."""
    from nic1000.algorithms import aggregation as mod

    if not reviews:
        return AggregateOutcome(by_candidacy={}, review_totals={}, alpha=None)
    result = mod.aggregate(
        [
            mod.Review(
                candidacy_id=r.candidacy_id,
                evaluator_id=r.evaluator_id,
                scores=dict(r.scores),
                bonus=r.bonus,
                round=r.rubric,
            )
            for r in reviews
        ],
        {
            k: [mod.Criterion(c.key, c.weight, c.scale_min, c.scale_max) for c in v]
            for k, v in rubrics.items()
        },
        mod.AggregationConfig(method=method, max_range=disagreement_threshold),  # type: ignore[arg-type]
    )
    by_candidacy = {
        int(c.candidacy_id): CandidacyAggregate(  # type: ignore[call-overload]
            score=float(c.score),
            spread=float(c.range) if c.n_reviews > 1 else None,
            sd=c.sd,
            disagreement=bool(c.disagreement),
            reasons=tuple(c.reasons),
        )
        for c in result.candidacies
    }
    totals = {(int(r.candidacy_id), int(r.evaluator_id)): float(r.total) for r in result.reviews}  # type: ignore[call-overload]
    rel = mod.reliability("round", [(c, e, t) for (c, e), t in totals.items()])
    alpha = None if rel.alpha is None or np.isnan(rel.alpha) else float(f"{rel.alpha:.4f}")
    return AggregateOutcome(by_candidacy=by_candidacy, review_totals=totals, alpha=alpha)


@dataclass
class CandidateData:
    id: int
    score: float
    eligible: bool
    body: str
    sector: str
    technology_score: float | None
    nominated_at: Any
    forced: str  # "", "in", "out"


def select(
    *,
    candidates: Sequence[CandidateData],
    total: tuple[int | None, int | None],
    quotas: Sequence[QuotaSpec],
) -> SelectionOutcome:
    """Optimal selection under the quotas; infeasible quotas come back named in `diagnosis`."""
    from nic1000.algorithms import selection as mod

    try:
        res = mod.select(
            [
                mod.SelectionCandidate(
                    id=c.id,
                    score=c.score,
                    eligible=c.eligible,
                    groups={"body": c.body, "sector": c.sector or None},
                    technology_score=c.technology_score,
                    nominated_at=c.nominated_at,
                    forced=c.forced or None,  # type: ignore[arg-type]
                )
                for c in candidates
            ],
            total,
            [mod.GroupQuota(q.family, q.name, q.min_count or 0, q.max_count) for q in quotas],
        )
    except mod.SelectionInfeasible as exc:
        return SelectionOutcome(
            feasible=False,
            diagnosis=[
                {"quota": ", ".join(d.constraints) or d.code, "message": d.message, "code": d.code}
                for d in exc.diagnoses
            ],
        )
    deciding = {e.id: e.message for e in res.explanations}
    return SelectionOutcome(
        feasible=True,
        selected=list(res.selected),
        ranks={r.id: r.merit_rank for r in res.ranking},
        deciding=deciding,
        objective=float(res.objective),
        proven_optimal=bool(res.proven_optimal),
    )
