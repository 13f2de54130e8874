"""Sensitivity of the selection to the criterion weights.

For each criterion, its weight moved by ±``step`` percentage points (clipped to 0–100) in every rubric
that has it, the other criteria of that rubric rescaled in proportion so the weights still sum to 100; the
scores recomputed the round's way (raw or leniency-adjusted) and the selection re-solved exactly
(:func:`~nic1000.algorithms.selection.select`, with its tie-break), then compared with the base selection:
who enters and who leaves.  Quotas that cannot hold are reported by name, as the selection does.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nic1000.algorithms.aggregation import Criterion, Review
from nic1000.algorithms.quality.effects import EvaluatorEffects
from nic1000.algorithms.quality.scoring import ReviewTable, score_reviews
from nic1000.algorithms.selection import GroupQuota, SelectionCandidate, SelectionInfeasible, select

__all__ = ["SensitivityEntry", "shifted_rubrics", "weight_sensitivity"]


@dataclass
class SensitivityEntry:
    criterion: str
    delta: float  # percentage points asked (+10 / −10)
    weights: dict[str, float]  # rubric → the criterion's new weight
    enter: list[Hashable] = field(default_factory=list)
    leave: list[Hashable] = field(default_factory=list)
    infeasible: list[str] = field(default_factory=list)  # the diagnoses, when the quotas cannot hold


def shifted_rubrics(
    rubrics: Mapping[Hashable, Sequence[Criterion]], code: str, delta: float
) -> dict[Hashable, list[Criterion]] | None:
    """The rubrics with ``code``'s weight moved by ``delta`` and the others rescaled; None if no change."""
    out: dict[Hashable, list[Criterion]] = {}
    changed = False
    for key, crits in rubrics.items():
        mine = [c for c in crits if c.code == code]
        rest = sum(c.weight for c in crits if c.code != code)
        if not mine or rest <= 0:
            out[key] = list(crits)
            continue
        new = min(max(mine[0].weight + delta, 0.0), 100.0)
        factor = (100.0 - new) / rest
        out[key] = [replace(c, weight=new if c.code == code else c.weight * factor) for c in crits]
        changed = changed or abs(new - mine[0].weight) > 1e-9
    return out if changed else None


def weight_sensitivity(
    reviews: Sequence[Review],
    rubrics: Mapping[Hashable, Sequence[Criterion]],
    candidates: Sequence[SelectionCandidate],
    total: int | tuple[int | None, int | None],
    quotas: Sequence[GroupQuota],
    base_selected: set[Hashable],
    *,
    method: str = "mean",
    adjust: bool = False,
    step: float = 10.0,
) -> list[SensitivityEntry]:
    """One entry per criterion and direction (criteria in rubric order, + before −)."""
    codes = list(dict.fromkeys(c.code for crits in rubrics.values() for c in crits))
    table = ReviewTable(reviews, rubrics)
    cache: dict[str, Any] = {}  # the effects' eigendecomposition: the same reviewers in every scenario
    out: list[SensitivityEntry] = []
    for code in codes:
        for delta in (step, -step):
            shifted = shifted_rubrics(rubrics, code, delta)
            if shifted is None:
                continue
            weights = {str(k): c.weight for k, cs in shifted.items() for c in cs if c.code == code}
            entry = SensitivityEntry(code, delta, weights)
            # raw scores need no evaluator effects: skip estimating them
            skip = None if adjust else EvaluatorEffects(False, "not adjusted", "raw")
            scores = score_reviews(
                table, shifted, method=method, adjust=adjust, effects=skip, cache=cache
            ).scores
            moved = [replace(c, score=scores.get(c.id, c.score)) for c in candidates]
            try:
                chosen = set(select(moved, total, quotas, explain_window=0).selected)
            except SelectionInfeasible as exc:
                entry.infeasible = [d.message for d in exc.diagnoses]
            else:
                entry.enter = sorted(chosen - base_selected, key=repr)
                entry.leave = sorted(base_selected - chosen, key=repr)
            out.append(entry)
    return out
