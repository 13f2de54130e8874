"""Scoring: evaluators save drafts and submit; the deadline closes scoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.audit.services import audit_record
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.rounds.models import Assignment, BonusItem, Criterion, Review, ReviewScore, Round, RoundSettings
from nic1000.rounds.selectors import criteria_for
from nic1000.rounds.services import solvers


@dataclass
class ScoreInput:
    score: int | None
    comment: str = ""


def review_total(
    *,
    criteria: Sequence[Criterion],
    scores: Mapping[int, int],
    score_min: int,
    score_max: int,
    bonus_points: int = 0,
) -> float:
    """Weighted criteria on 0–100 (each score normalised on the rubric scale × weight) plus bonus points."""
    data = [solvers.CriterionData(c.key, c.weight, score_min, score_max) for c in criteria]
    total = solvers.weighted_total(scores={c.key: scores[c.pk] for c in criteria}, criteria=data)
    return float(f"{total + bonus_points:.4f}")


def scoring_open(rnd: Round, now: Any = None) -> bool:
    now = now or timezone.now()
    return rnd.state == "evaluating" and not (rnd.scoring_deadline and now > rnd.scoring_deadline)


@transaction.atomic
def assignment_open(*, assignment: Assignment, acting_user: Any) -> Assignment:
    """The evaluator opened the candidacy's file (recorded once)."""
    if assignment.opened_at is None and assignment.evaluator.user_id == getattr(acting_user, "pk", None):
        now = timezone.now()
        Assignment.objects.filter(pk=assignment.pk, opened_at__isnull=True).update(opened_at=now)
        assignment.opened_at = now
        audit_record(
            actor=acting_user,
            action="assignment.open",
            obj=assignment,
            changes={"opened_at": {"before": None, "after": now}},
        )
    return assignment


@transaction.atomic
def review_save(
    *,
    assignment: Assignment,
    scores: Mapping[int, ScoreInput],
    acting_user: Any,
    comment: str = "",
    bonus_item_ids: Sequence[int] = (),
    submit: bool = False,
) -> Review:
    """Save the evaluator's scores as a draft, or submit them (then they are final). Scores must lie on the
    round's rubric scale; after the deadline nothing is accepted."""
    a = (
        Assignment.objects.select_for_update()
        .select_related("round", "evaluator", "candidacy")
        .get(pk=assignment.pk)
    )
    if a.evaluator.user_id != getattr(acting_user, "pk", None):
        raise Forbidden(_("Only the assigned evaluator scores this candidacy."))
    if not a.active:
        raise Conflict(_("This assignment has ended."), code="assignment_ended")
    rnd = a.round
    now = timezone.now()
    if rnd.scoring_deadline and now > rnd.scoring_deadline:
        raise Conflict(
            _("Scoring closed at %(deadline)s; no more scores are accepted.")
            % {"deadline": timezone.localtime(rnd.scoring_deadline).strftime("%Y-%m-%d %H:%M")},
            code="scoring_closed",
        )
    if rnd.state != "evaluating":
        raise Conflict(_("The round is not in evaluation."), code="scoring_closed")
    review = Review.objects.filter(assignment=a).first()
    if review is not None and review.state == Review.State.SUBMITTED:
        raise Conflict(_("This review has been submitted and can no longer change."), code="review_submitted")
    settings = RoundSettings.objects.get(round=rnd)
    criteria = criteria_for(candidacy=a.candidacy)
    by_id = {c.pk: c for c in criteria}
    details: list[ErrorDetail] = []
    for cid in scores:
        if cid not in by_id:
            details.append(
                ErrorDetail(message=_("Not a criterion of this candidacy"), field=f"score_{cid}", value=cid)
            )
    clean: dict[int, ScoreInput] = {}
    for c in criteria:
        item = scores.get(c.pk)
        value = item.score if item is not None else None
        if value is None:
            if submit:
                details.append(
                    ErrorDetail(message=_("Score every criterion before submitting"), field=f"score_{c.pk}")
                )
            continue
        if not isinstance(value, int) or not settings.score_min <= value <= settings.score_max:
            details.append(
                ErrorDetail(
                    message=_("%(name)s: the score must be between %(lo)d and %(hi)d")
                    % {"name": c.name_ko, "lo": settings.score_min, "hi": settings.score_max},
                    field=f"score_{c.pk}",
                    value=value,
                    code="score_out_of_scale",
                )
            )
            continue
        clean[c.pk] = ScoreInput(score=value, comment=(item.comment if item else "").strip())
    if submit and not comment.strip():
        details.append(ErrorDetail(message=_("A comment is required to submit"), field="comment"))
    bonus = list(BonusItem.objects.filter(round=rnd, pk__in=list(bonus_item_ids)))
    bonus = [b for b in bonus if b.body_id in (None, a.candidacy.lead_body_id)]
    if len(bonus) != len(set(bonus_item_ids)):
        details.append(ErrorDetail(message=_("Unknown bonus item"), field="bonus_items"))
    if details:
        raise ValidationFailed(_("The scores are not valid."), details, code="review_invalid")
    before_state = review.state if review else None
    before_scores = dict(review.scores.values_list("criterion_id", "score")) if review else {}
    if review is None:
        review = Review(assignment=a)
    review.comment = comment.strip()
    review.updated_at = now
    if submit:
        review.state = Review.State.SUBMITTED
        review.submitted_at = now
    review.total = (
        review_total(
            criteria=criteria,
            scores={k: v.score for k, v in clean.items()},  # type: ignore[misc]
            score_min=settings.score_min,
            score_max=settings.score_max,
            bonus_points=sum(b.points for b in bonus),
        )
        if len(clean) == len(criteria)
        else None
    )
    review.save()
    review.bonus_items.set(bonus)
    ReviewScore.objects.filter(review=review).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion_id=cid, score=int(v.score or 0), comment=v.comment)
        for cid, v in clean.items()
    )
    audit_record(
        actor=acting_user,
        action="review.submit" if submit else "review.save_draft",
        obj=review,
        changes={
            "state": {"before": before_state, "after": review.state},
            "scores": {"before": before_scores, "after": {k: v.score for k, v in clean.items()}},
            "total": {"before": None, "after": review.total},
        },
    )
    return review
