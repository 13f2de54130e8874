"""Scoring: the evaluator confirms no conflict and opens the file, saves drafts and submits; the deadline closes
scoring."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.algorithms import aggregation as aggregation_model
from nic1000.audit.services import AuditItem, audit_record, audit_record_many
from nic1000.core.access import require_role
from nic1000.core.errors import ApplicationError, Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import Role
from nic1000.core.text import text_check
from nic1000.rounds.models import (
    Assignment,
    BonusItem,
    Candidacy,
    Criterion,
    Review,
    ReviewScore,
    RoundSettings,
)
from nic1000.rounds.workflows import RoundAction, require_round_allows, scored_after_publication


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
    rubric = [aggregation_model.Criterion(c.key, c.weight, score_min, score_max) for c in criteria]
    total = aggregation_model.weighted_total({c.key: scores[c.pk] for c in criteria}, rubric)
    return float(f"{total + bonus_points:.4f}")


@transaction.atomic
def assignment_open(*, assignment: Assignment, acting_user: User) -> Assignment:
    """The assigned evaluator confirms they have no conflict of interest with the company and opens its file.
    The first opening is recorded with that confirmation; opening again changes nothing. (Reading the file is
    never a write: until this is done the evaluator's page shows only the confirmation.)"""
    require_role(acting_user, Role.EVALUATOR)
    a = Assignment.objects.select_for_update().select_related("evaluator").get(pk=assignment.pk)
    if a.evaluator.user_id != acting_user.pk:
        raise Forbidden(_("Only the assigned evaluator opens this file."))
    if not a.active:
        raise Conflict(_("This assignment has ended."), code="assignment_ended")
    if a.opened_at is None:
        a.opened_at = timezone.now()
        a.save(update_fields=["opened_at"])
        audit_record(
            actor=acting_user,
            action="assignment.open",
            obj=a,
            changes={
                "opened_at": {"before": None, "after": a.opened_at},
                "no_conflict_confirmed": {"before": None, "after": True},
            },
        )
    assignment.opened_at = a.opened_at
    return a


@dataclass(frozen=True)
class ReviewInput:
    """One evaluator's review of one assignment, for `review_save_many`."""

    assignment: Assignment
    scores: Mapping[int, ScoreInput]
    comment: str = ""
    bonus_item_ids: Sequence[int] = ()
    submit: bool = False


@dataclass
class _Prepared:
    """A checked review, ready to write."""

    assignment: Assignment
    review: Review | None  # the existing draft, None for a new review
    clean: dict[int, ScoreInput]
    bonus: list[BonusItem]
    total: float | None
    comment: str
    submit: bool


class _Lookups:
    """What checking reviews needs about their rounds, read once per call (settings, criteria, bonus items)."""

    def __init__(self, assignments: Sequence[Assignment]) -> None:
        round_ids = {a.round_id for a in assignments}
        self.settings = {s.round_id: s for s in RoundSettings.objects.filter(round_id__in=round_ids)}
        self.criteria: dict[tuple[int, int | None], list[Criterion]] = defaultdict(list)
        for c in Criterion.objects.filter(round_id__in=round_ids):  # Meta ordering: as `criteria_for`
            self.criteria[(c.round_id, c.body_id)].append(c)
        self.bonus: dict[int, list[BonusItem]] = defaultdict(list)
        for b in BonusItem.objects.filter(round_id__in=round_ids):
            self.bonus[b.round_id].append(b)

    def criteria_for(self, candidacy: Candidacy) -> list[Criterion]:
        """The lead body's own criteria when it has a set, else the round's default set (`criteria_for`)."""
        return self.criteria.get((candidacy.round_id, candidacy.lead_body_id)) or self.criteria.get(
            (candidacy.round_id, None), []
        )


def _refuse(*, a: Assignment, review: Review | None, acting_user: User, now: dt.datetime) -> None:
    """Raise when this review may not be written at all: not theirs, ended, closed, already submitted."""
    if a.evaluator.user_id != acting_user.pk:
        raise Forbidden(_("Only the assigned evaluator scores this candidacy."))
    if not a.active:
        raise Conflict(_("This assignment has ended."), code="assignment_ended")
    rnd = a.round
    rescoring = scored_after_publication(a)  # an upheld appeal's re-scoring: open after publication
    if rnd.scoring_deadline and now > rnd.scoring_deadline and not rescoring:
        raise Conflict(
            _("Scoring closed at %(deadline)s; no more scores are accepted.")
            % {"deadline": timezone.localtime(rnd.scoring_deadline).strftime("%Y-%m-%d %H:%M")},
            code="scoring_closed",
        )
    if not rescoring:
        require_round_allows(rnd, RoundAction.SCORE)
    if review is not None and review.state == Review.State.SUBMITTED:
        raise Conflict(_("This review has been submitted and can no longer change."), code="review_submitted")


def _clean_scores(
    *, item: ReviewInput, criteria: list[Criterion], settings: RoundSettings
) -> tuple[dict[int, ScoreInput], list[ErrorDetail]]:
    """The scores on the round's scale, keyed by criterion; problems are returned, not raised."""
    by_id = {c.pk: c for c in criteria}
    details = [
        ErrorDetail(message=_("Not a criterion of this candidacy"), field=f"score_{cid}", value=cid)
        for cid in item.scores
        if cid not in by_id
    ]
    clean: dict[int, ScoreInput] = {}
    for c in criteria:
        given = item.scores.get(c.pk)
        value = given.score if given is not None else None
        if value is None:
            if item.submit:
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
        clean[c.pk] = ScoreInput(score=value, comment=(given.comment if given else "").strip())
    return clean, details


def _prepare(
    *,
    a: Assignment,
    review: Review | None,
    item: ReviewInput,
    lookups: _Lookups,
    acting_user: User,
    now: dt.datetime,
) -> tuple[_Prepared, list[ErrorDetail]]:
    """Check one review like the evaluator's page does: refusals (not theirs, ended, closed, submitted) raise;
    problems with the scores are returned."""
    text_check(comment=item.comment, **{f"comment_{k}": s.comment for k, s in item.scores.items()})
    _refuse(a=a, review=review, acting_user=acting_user, now=now)
    settings = lookups.settings[a.round_id]
    criteria = lookups.criteria_for(a.candidacy)
    clean, details = _clean_scores(item=item, criteria=criteria, settings=settings)
    if item.submit and not item.comment.strip():
        details.append(ErrorDetail(message=_("A comment is required to submit"), field="comment"))
    wanted = set(item.bonus_item_ids)
    bonus = [
        b
        for b in lookups.bonus.get(a.round_id, [])
        if b.pk in wanted and b.body_id in (None, a.candidacy.lead_body_id)
    ]
    if len(bonus) != len(wanted):
        details.append(ErrorDetail(message=_("Unknown bonus item"), field="bonus_items"))
    total = (
        review_total(
            criteria=criteria,
            scores={k: int(v.score or 0) for k, v in clean.items()},
            score_min=settings.score_min,
            score_max=settings.score_max,
            bonus_points=sum(b.points for b in bonus),
        )
        if not details and len(clean) == len(criteria)
        else None
    )
    prepared = _Prepared(
        assignment=a,
        review=review,
        clean=clean,
        bonus=bonus,
        total=total,
        comment=item.comment.strip(),
        submit=item.submit,
    )
    return prepared, details


def _replace_scores_and_bonus(
    reviews: Sequence[Review], prepared: Sequence[_Prepared], existing: Sequence[int]
) -> None:
    """The reviews' scores and bonus items as checked (the drafts' earlier ones go)."""
    through = Review.bonus_items.through
    through.objects.filter(review_id__in=existing).delete()
    through.objects.bulk_create(
        [
            through(review_id=r.pk, bonusitem_id=b.pk)
            for r, p in zip(reviews, prepared, strict=True)
            for b in p.bonus
        ],
        batch_size=1000,
    )
    ReviewScore.objects.filter(review_id__in=existing).delete()
    ReviewScore.objects.bulk_create(
        [
            ReviewScore(review=r, criterion_id=cid, score=int(v.score or 0), comment=v.comment)
            for r, p in zip(reviews, prepared, strict=True)
            for cid, v in p.clean.items()
        ],
        batch_size=1000,
    )


def _write(prepared: Sequence[_Prepared], *, acting_user: User, now: dt.datetime) -> list[Review]:
    """Write checked reviews (new and updated drafts), their scores and bonus items, and one audit row each."""
    existing = [p.review.pk for p in prepared if p.review is not None]
    before_scores: dict[int, dict[int, int]] = defaultdict(dict)
    for rid, cid, score in ReviewScore.objects.filter(review_id__in=existing).values_list(
        "review_id", "criterion_id", "score"
    ):
        before_scores[rid][cid] = score
    before_state: dict[int, str | None] = {}
    reviews: list[Review] = []
    for p in prepared:
        review = p.review if p.review is not None else Review(assignment=p.assignment)
        before_state[id(review)] = p.review.state if p.review is not None else None
        review.comment = p.comment
        review.updated_at = now
        if p.submit:
            review.state = Review.State.SUBMITTED
            review.submitted_at = now
        review.total = p.total
        reviews.append(review)
    fields = ["comment", "updated_at", "state", "submitted_at", "total"]
    Review.objects.bulk_update([r for r in reviews if r.pk is not None], fields, batch_size=500)
    new = [r for r in reviews if r.pk is None]
    Review.objects.bulk_create(new, batch_size=500)
    _replace_scores_and_bonus(reviews, prepared, existing)
    audit_record_many(
        actor=acting_user,
        items=[
            AuditItem(
                action="review.submit" if p.submit else "review.save_draft",
                object_type=Review._meta.label_lower,
                object_id=str(r.pk),
                object_repr=str(r),
                changes={
                    "state": {"before": before_state[id(r)], "after": r.state},
                    "scores": {
                        "before": before_scores.get(r.pk, {}) if p.review is not None else {},
                        "after": {k: v.score for k, v in p.clean.items()},
                    },
                    "total": {"before": None, "after": r.total},
                },
            )
            for r, p in zip(reviews, prepared, strict=True)
        ],
    )
    return reviews


def _locked_assignments(ids: Sequence[int]) -> dict[int, Assignment]:
    return (
        Assignment.objects.select_for_update()
        .select_related("round", "evaluator", "candidacy")
        .in_bulk(list(ids))
    )


@transaction.atomic
def review_save(
    *,
    assignment: Assignment,
    scores: Mapping[int, ScoreInput],
    acting_user: User,
    comment: str = "",
    bonus_item_ids: Sequence[int] = (),
    submit: bool = False,
) -> Review:
    """Save the evaluator's scores as a draft, or submit them (then they are final). Scores must lie on the
    round's rubric scale; after the deadline nothing is accepted."""
    require_role(acting_user, Role.EVALUATOR)
    a = _locked_assignments([assignment.pk])[assignment.pk]
    item = ReviewInput(
        assignment=a, scores=scores, comment=comment, bonus_item_ids=bonus_item_ids, submit=submit
    )
    now = timezone.now()
    prepared, details = _prepare(
        a=a,
        review=Review.objects.filter(assignment=a).first(),
        item=item,
        lookups=_Lookups([a]),
        acting_user=acting_user,
        now=now,
    )
    if details:
        raise ValidationFailed(_("The scores are not valid."), details, code="review_invalid")
    return _write([prepared], acting_user=acting_user, now=now)[0]


@transaction.atomic
def review_save_many(*, items: Sequence[ReviewInput], acting_user: User) -> list[Review]:
    """One evaluator saves or submits several reviews at once (a scoring sheet): each is checked exactly as
    `review_save` checks it, and all are written or none. A refusal (not their assignment, scoring closed, a
    review already submitted) raises for the whole call, naming the item (`row`, 0-based); score problems of
    every item come together in one ValidationFailed, each detail with its item's `row`."""
    require_role(acting_user, Role.EVALUATOR)
    if not items:
        return []
    ids = [item.assignment.pk for item in items]
    first: dict[int, int] = {}
    twice = [row for row, pk in enumerate(ids) if first.setdefault(pk, row) != row]
    if twice:
        raise ValidationFailed(
            _("An assignment appears twice."),
            [
                ErrorDetail(message=_("Twice in one call"), row=r, field="assignment", value=ids[r])
                for r in twice
            ],
            code="review_invalid",
        )
    locked = _locked_assignments(ids)
    missing = [i for i, pk in enumerate(ids) if pk not in locked]
    if missing:
        raise ValidationFailed(
            _("Unknown assignment."),
            [
                ErrorDetail(message=_("Unknown assignment"), row=i, field="assignment", value=ids[i])
                for i in missing
            ],
            code="review_invalid",
        )
    assignments = [locked[pk] for pk in ids]
    lookups = _Lookups(assignments)
    existing = {r.assignment_id: r for r in Review.objects.filter(assignment_id__in=ids)}
    now = timezone.now()
    prepared: list[_Prepared] = []
    details: list[ErrorDetail] = []
    for row, (a, item) in enumerate(zip(assignments, items, strict=True)):
        try:
            p, problems = _prepare(
                a=a, review=existing.get(a.pk), item=item, lookups=lookups, acting_user=acting_user, now=now
            )
        except ApplicationError as exc:
            exc.details = [
                ErrorDetail(message=str(exc.message), row=row, field="assignment", value=a.pk, code=exc.code),
                *exc.details,
            ]
            raise
        prepared.append(p)
        details += [replace(d, row=row) for d in problems]
    if details:
        raise ValidationFailed(_("The scores are not valid."), details, code="review_invalid")
    return _write(prepared, acting_user=acting_user, now=now)
