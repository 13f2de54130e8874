import datetime as dt

import pytest
from django.utils import timezone, translation

from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.rounds.models import Criterion, Review, Round
from nic1000.rounds.selectors import panel_reviews, review_status
from nic1000.rounds.services.reviews import ScoreInput, review_save
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):  # type: ignore[no-untyped-def]
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    c = make_candidacy(rnd)
    a1 = make_assignment(c, make_evaluator("x1", user=personas.evaluator))
    a2 = make_assignment(c, make_evaluator("x2", user=personas.evaluator2))
    criteria = list(Criterion.objects.filter(round=rnd, body__isnull=True))
    return rnd, c, a1, a2, criteria


def _all(criteria, score=4):  # type: ignore[no-untyped-def]
    return {cr.pk: ScoreInput(score=score, comment="근거") for cr in criteria}


def test_draft_then_submit_and_total(personas, setup) -> None:
    _rnd, _c, a1, _a2, criteria = setup
    partial = {criteria[0].pk: ScoreInput(score=5)}
    r = review_save(assignment=a1, scores=partial, acting_user=personas.evaluator)
    assert r.state == "draft" and r.total is None
    r = review_save(
        assignment=a1, scores=_all(criteria), comment="좋음", submit=True, acting_user=personas.evaluator
    )
    assert r.state == "submitted"
    assert r.total == pytest.approx(75.0)  # every criterion 4 on the 1–5 scale
    with pytest.raises(Conflict):
        review_save(
            assignment=a1, scores=_all(criteria, 5), comment="x", submit=True, acting_user=personas.evaluator
        )


def test_submit_needs_every_criterion_and_a_comment(personas, setup) -> None:
    _rnd, _c, a1, _a2, criteria = setup
    with pytest.raises(ValidationFailed) as exc:
        review_save(
            assignment=a1, scores={criteria[0].pk: ScoreInput(3)}, submit=True, acting_user=personas.evaluator
        )
    fields = {d.field for d in exc.value.details}
    assert f"score_{criteria[1].pk}" in fields and "comment" in fields
    assert not Review.objects.exists()


def test_score_outside_the_scale_is_refused_and_nothing_changes(personas, setup) -> None:
    _rnd, _c, a1, _a2, criteria = setup
    review_save(assignment=a1, scores=_all(criteria, 3), acting_user=personas.evaluator)
    bad = _all(criteria, 3)
    bad[criteria[2].pk] = ScoreInput(score=7)
    with pytest.raises(ValidationFailed) as exc:
        review_save(assignment=a1, scores=bad, acting_user=personas.evaluator)
    assert exc.value.code == "review_invalid"
    assert [d.code for d in exc.value.details] == ["score_out_of_scale"]
    assert set(Review.objects.get(assignment=a1).scores.values_list("score", flat=True)) == {3}


def test_score_after_the_deadline_is_refused(personas, setup) -> None:
    rnd, _c, a1, _a2, criteria = setup
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as exc, translation.override("en"):
        review_save(
            assignment=a1, scores=_all(criteria), comment="x", submit=True, acting_user=personas.evaluator
        )
    assert exc.value.code == "scoring_closed"
    assert "closed" in exc.value.message
    assert not Review.objects.exists()
    rnd.refresh_from_db()
    status = review_status(round=rnd)
    assert status["overdue"] and len(status["missing"]) == 2


def test_only_the_assigned_evaluator_scores(personas, setup) -> None:
    _rnd, _c, a1, _a2, criteria = setup
    with pytest.raises(Forbidden):
        review_save(assignment=a1, scores=_all(criteria), acting_user=personas.evaluator2)


def test_panel_scores_hidden_until_own_submission(personas, setup) -> None:
    _rnd, _c, a1, a2, criteria = setup
    review_save(
        assignment=a2, scores=_all(criteria, 2), comment="x", submit=True, acting_user=personas.evaluator2
    )
    assert panel_reviews(assignment=a1) is None
    review_save(assignment=a1, scores=_all(criteria, 4), acting_user=personas.evaluator)
    assert panel_reviews(assignment=a1) is None
    review_save(
        assignment=a1, scores=_all(criteria, 4), comment="x", submit=True, acting_user=personas.evaluator
    )
    panel = panel_reviews(assignment=a1)
    assert panel is not None and [r.total for r in panel] == [pytest.approx(25.0)]


def test_office_sees_missing_then_late_reviews(personas, setup) -> None:
    from django.test import Client

    rnd, _c, a1, a2, criteria = setup
    review_save(
        assignment=a1, scores=_all(criteria), comment="x", submit=True, acting_user=personas.evaluator
    )
    review_save(assignment=a2, scores={criteria[0].pk: ScoreInput(2)}, acting_user=personas.evaluator2)
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() + dt.timedelta(days=1))
    rnd.refresh_from_db()
    status = review_status(round=rnd)
    assert (status["submitted"], [a.pk for a in status["missing"]], status["late"]) == (1, [a2.pk], [])
    assert not status["overdue"]
    Review.objects.filter(assignment=a1).update(submitted_at=timezone.now() - dt.timedelta(minutes=10))
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() - dt.timedelta(minutes=5))
    rnd.refresh_from_db()
    status = review_status(round=rnd)
    assert [a.pk for a in status["late"]] == [a2.pk] and status["overdue"]
    client = Client()
    client.force_login(personas.program_office)
    page = client.get(f"/rounds/{rnd.pk}/reviews/")
    assert page.status_code == 200
    assert page.context["status"]["late"] == [a2]
    assert 'data-testid="late"' in page.content.decode()
