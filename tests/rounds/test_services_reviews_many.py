"""`review_save_many`: an evaluator's scoring sheet at once. Same results as `review_save` one by one, checked
the same way, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.rounds.models import BonusItem, Criterion, Review, Round
from nic1000.rounds.services.reviews import ReviewInput, ScoreInput, review_save, review_save_many
from tests.factories import body
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(personas: Any) -> Any:
    """An evaluating round: three MSS candidacies and three MOTIE ones (MOTIE has its own bonus item),
    each assigned to the evaluator persona (and one to evaluator2)."""
    po = personas.program_office
    rnd = make_round(acting_user=po, state="evaluating")
    BonusItem.objects.create(round=rnd, body=body("MOTIE"), name="소부장 으뜸기업", points=5)
    BonusItem.objects.create(round=rnd, body=None, name="규제샌드박스", points=2)
    me = make_evaluator("m1", user=personas.evaluator)
    other = make_evaluator("m2", user=personas.evaluator2)
    mine = [make_assignment(make_candidacy(rnd, bodies=(code,)), me) for code in ("MSS", "MOTIE") * 3]
    theirs = make_assignment(mine[0].candidacy, other)
    criteria = list(Criterion.objects.filter(round=rnd, body__isnull=True))
    return rnd, mine, theirs, criteria


def _items(rnd: Round, assignments: list[Any], criteria: list[Criterion]) -> list[ReviewInput]:
    bonus = {b.body_id: b.pk for b in BonusItem.objects.filter(round=rnd)}
    out = []
    for i, a in enumerate(assignments):
        scores = {
            c.pk: ScoreInput(score=1 + (i + j) % 5, comment=f"근거 {j}") for j, c in enumerate(criteria)
        }
        if i == 5:
            scores.pop(criteria[-1].pk)  # a partial draft
        bonus_ids = [bonus[None]] + (
            [bonus[body("MOTIE").pk]] if a.candidacy.lead_body.code == "MOTIE" else []
        )
        out.append(
            ReviewInput(
                assignment=a,
                scores=scores,
                comment=f" 검토 의견 {i} ",
                bonus_item_ids=bonus_ids if i % 2 else [],
                submit=i < 4,
            )
        )
    return out


def _snapshot(review: Review) -> tuple[Any, ...]:
    return (
        review.state,
        review.total,
        review.comment,
        review.submitted_at is not None,
        sorted(review.scores.values_list("criterion_id", "score", "comment")),
        sorted(review.bonus_items.values_list("pk", flat=True)),
    )


def _audit(review: Review) -> list[tuple[str, dict[str, Any]]]:
    entries = AuditEntry.objects.filter(object_type="rounds.review", object_id=str(review.pk)).order_by("seq")
    return [(e.action, e.changes) for e in entries]


def test_bulk_gives_the_same_reviews_and_audit_rows_as_one_by_one(personas: Any, sheet: Any) -> None:
    rnd, mine, _theirs, criteria = sheet
    me = mine[0].evaluator
    # A twin of each candidacy (same lead body) for the bulk path, so both paths start from the same state.
    twins = [make_assignment(make_candidacy(rnd, bodies=(a.candidacy.lead_body.code,)), me) for a in mine]
    for assignments in (mine, twins):  # one earlier draft each, so both paths also update a draft
        review_save(
            assignment=assignments[1],
            scores={criteria[0].pk: ScoreInput(score=2)},
            acting_user=personas.evaluator,
        )
    single = [
        review_save(
            assignment=it.assignment,
            scores=it.scores,
            comment=it.comment,
            bonus_item_ids=it.bonus_item_ids,
            submit=it.submit,
            acting_user=personas.evaluator,
        )
        for it in _items(rnd, mine, criteria)
    ]
    bulk = review_save_many(items=_items(rnd, twins, criteria), acting_user=personas.evaluator)
    assert [r.assignment_id for r in bulk] == [a.pk for a in twins]
    expected = [_snapshot(r) for r in single]
    assert [_snapshot(Review.objects.get(pk=r.pk)) for r in bulk] == expected
    assert [_audit(r) for r in bulk] == [_audit(r) for r in single]
    states = [e[0] for e in expected]
    assert states == ["submitted"] * 4 + ["draft"] * 2
    assert expected[5][1] is None  # a partial draft has no total
    assert expected[1][5] and expected[1][1] > expected[0][1] - 100  # bonus items kept


def test_bulk_is_a_few_queries_whatever_the_number_of_reviews(
    personas: Any, sheet: Any, django_assert_max_num_queries: Any
) -> None:
    rnd, mine, _theirs, criteria = sheet
    with django_assert_max_num_queries(20):
        review_save_many(items=_items(rnd, mine, criteria), acting_user=personas.evaluator)
    assert Review.objects.count() == 6


def _nothing_written() -> bool:
    return not Review.objects.exists() and not AuditEntry.objects.filter(object_type="rounds.review").exists()


def test_score_problems_of_every_item_come_together_and_nothing_is_written(personas: Any, sheet: Any) -> None:
    rnd, mine, _theirs, criteria = sheet
    items = _items(rnd, mine, criteria)
    bad_scale = dict(items[1].scores)
    bad_scale[criteria[0].pk] = ScoreInput(score=9)
    items[1] = ReviewInput(assignment=mine[1], scores=bad_scale, comment="x", submit=True)
    items[3] = ReviewInput(assignment=mine[3], scores=items[3].scores, comment="  ", submit=True)
    items[4] = ReviewInput(assignment=mine[4], scores=items[4].scores, bonus_item_ids=[999_999])
    with pytest.raises(ValidationFailed) as exc:
        review_save_many(items=items, acting_user=personas.evaluator)
    got = {(d.row, d.field, d.code) for d in exc.value.details}
    assert (1, f"score_{criteria[0].pk}", "score_out_of_scale") in got
    assert (3, "comment", None) in got
    assert (4, "bonus_items", None) in got
    assert exc.value.code == "review_invalid"
    assert _nothing_written()


def test_another_evaluators_assignment_refuses_the_whole_sheet(personas: Any, sheet: Any) -> None:
    rnd, mine, theirs, criteria = sheet
    items = _items(rnd, mine, criteria)
    items.append(ReviewInput(assignment=theirs, scores=items[0].scores, comment="x", submit=True))
    with pytest.raises(Forbidden) as exc:
        review_save_many(items=items, acting_user=personas.evaluator)
    assert exc.value.details[0].row == 6 and exc.value.details[0].value == theirs.pk
    assert _nothing_written()


def test_a_submitted_review_in_the_sheet_refuses_it(personas: Any, sheet: Any) -> None:
    rnd, mine, _theirs, criteria = sheet
    items = _items(rnd, mine, criteria)
    review_save(
        assignment=mine[2], scores=items[2].scores, comment="x", submit=True, acting_user=personas.evaluator
    )
    before = list(Review.objects.values_list("pk", "state", "total"))
    with pytest.raises(Conflict) as exc:
        review_save_many(items=items, acting_user=personas.evaluator)
    assert exc.value.code == "review_submitted" and exc.value.details[0].row == 2
    assert list(Review.objects.values_list("pk", "state", "total")) == before


def test_after_the_deadline_the_sheet_is_refused(personas: Any, sheet: Any) -> None:
    rnd, mine, _theirs, criteria = sheet
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        review_save_many(items=_items(rnd, mine, criteria), acting_user=personas.evaluator)
    assert exc.value.code == "scoring_closed"
    assert _nothing_written()


def test_an_assignment_twice_or_unknown_is_refused(personas: Any, sheet: Any) -> None:
    rnd, mine, _theirs, criteria = sheet
    items = _items(rnd, mine, criteria)
    with pytest.raises(ValidationFailed) as exc:
        review_save_many(items=[*items, items[0]], acting_user=personas.evaluator)
    assert [(d.row, d.field) for d in exc.value.details] == [(6, "assignment")]
    mine[0].pk = 987_654
    with pytest.raises(ValidationFailed) as exc:
        review_save_many(items=items, acting_user=personas.evaluator)
    assert [(d.row, d.field) for d in exc.value.details] == [(0, "assignment")]
    assert _nothing_written()
    assert review_save_many(items=[], acting_user=personas.evaluator) == []
