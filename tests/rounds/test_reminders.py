"""The daily reminder jobs (reviews due or late, nominations closing) and the office's reminder of late
evaluators: only the near or late ones, and run twice nothing new (issue 13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict
from nic1000.core.models import Notification
from nic1000.core.schedule import jobs
from nic1000.rounds.models import Quota, Round
from nic1000.rounds.services.reminders import reviews_remind_late
from nic1000.rounds.tasks import nominations_closing_due, review_reminders_due
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round, submit_review
from tests.told import assert_not_told, assert_told, told

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 20, 10, 0))


@pytest.fixture
def english(settings: Any) -> Any:
    """English wording for the test (pytest-django's `settings` puts the language back afterwards)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def scoring(personas: Any) -> dict[str, Any]:
    """A round in evaluation, its deadline on 2026-03-22: eval1 has two reviews missing, eval2 submitted its."""
    rnd = make_round(
        acting_user=personas.program_office,
        state="evaluating",
        scoring_deadline=timezone.make_aware(dt.datetime(2026, 3, 22, 18, 0)),
    )
    e1 = make_evaluator("e1", user=personas.evaluator)
    e2 = make_evaluator("e2", user=personas.evaluator2)
    c1, c2 = make_candidacy(rnd), make_candidacy(rnd)
    make_assignment(c1, e1)
    make_assignment(c2, e1)
    submit_review(make_assignment(c1, e2), total=70.0)
    return {"round": rnd, "late": personas.evaluator, "done": personas.evaluator2}


def test_the_jobs_are_registered_daily() -> None:
    registered = {j.name: j for j in jobs()}
    assert registered["rounds.review_reminders"].period == "daily"
    assert registered["rounds.review_reminders"].path == "nic1000.rounds.tasks.review_reminders_due"
    assert registered["rounds.nominations_closing"].path == "nic1000.rounds.tasks.nominations_closing_due"


def test_far_from_the_deadline_nobody_is_reminded(scoring: dict[str, Any]) -> None:
    assert review_reminders_due(now=NOW - dt.timedelta(days=5)) == 0
    assert not Notification.objects.filter(kind__startswith="round.review").exists()


def test_near_the_deadline_only_evaluators_with_missing_reviews_are_told_once(
    scoring: dict[str, Any], english: Any
) -> None:
    assert review_reminders_due(now=NOW) == 1
    n = assert_told(scoring["late"], "round.review_due", n=2, deadline="2026-03-22")
    assert n.link == "/rounds/me/assignments/"
    assert "2 of your reviews are not submitted yet" in n.body_text
    assert_not_told(scoring["done"], "round.review_due")
    # Run again the same day, and the next: nothing new.
    assert review_reminders_due(now=NOW) == 0
    assert review_reminders_due(now=NOW + dt.timedelta(days=1)) == 0
    assert len(told(scoring["late"], "round.review_due")) == 1


def test_past_the_deadline_late_evaluators_are_told_once(scoring: dict[str, Any]) -> None:
    after = NOW + dt.timedelta(days=3)
    assert review_reminders_due(now=after) == 1
    assert_told(scoring["late"], "round.review_late", n=2)
    assert_not_told(scoring["done"], "round.review_late")
    assert review_reminders_due(now=after) == 0
    assert review_reminders_due(now=after + dt.timedelta(days=1)) == 0
    assert len(told(scoring["late"], "round.review_late")) == 1


def test_rounds_not_in_evaluation_are_left_alone(scoring: dict[str, Any]) -> None:
    Round.objects.filter(pk=scoring["round"].pk).update(state="selecting")
    assert review_reminders_due(now=NOW + dt.timedelta(days=3)) == 0


def test_nominations_closing_tells_each_body_its_count_and_quota_once(personas: Any, english: Any) -> None:
    rnd = make_round(
        acting_user=personas.program_office,
        state="nominating",
        nominations_close_at=timezone.make_aware(dt.datetime(2026, 3, 22, 18, 0)),
    )
    Quota.objects.create(round=rnd, family="body", key="MSS", max_count=5)
    make_candidacy(rnd, bodies=("MSS",), by=personas.ministry_mss)
    make_candidacy(rnd, bodies=("MSS",), by=personas.ministry_mss)
    assert nominations_closing_due(now=NOW - dt.timedelta(days=10)) == 0  # too early
    assert nominations_closing_due(now=NOW) == 2  # the MSS and MOTIE officers
    mss = assert_told(personas.ministry_mss, "round.nominations_closing", nominated=2, quota=5, left=3)
    assert "its quota in this round is 5 (3 left)" in mss.body_text
    assert mss.link == f"/rounds/{rnd.pk}/nominations/"
    motie = assert_told(personas.ministry_motie, "round.nominations_closing", nominated=0, quota="")
    assert "has nominated 0 companies so far" in motie.body_text
    assert nominations_closing_due(now=NOW) == 0
    assert nominations_closing_due(now=NOW + dt.timedelta(days=1)) == 0
    assert Notification.objects.filter(kind="round.nominations_closing").count() == 2


# --- the office reminds every late evaluator at once --------------------------------------------------------


def _past(rnd: Round) -> None:
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() - dt.timedelta(hours=2))


def test_the_office_reminds_late_evaluators_through_an_audited_service(
    personas: Any, scoring: dict[str, Any]
) -> None:
    rnd = scoring["round"]
    Round.objects.filter(pk=rnd.pk).update(scoring_deadline=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(Conflict) as exc:  # the deadline has not passed
        reviews_remind_late(round=rnd, acting_user=personas.program_office)
    assert exc.value.code == "deadline_not_passed"
    _past(rnd)
    outcome = reviews_remind_late(round=rnd, acting_user=personas.program_office)
    assert (outcome.evaluators, outcome.reviews) == (1, 2)
    assert_told(scoring["late"], "round.review_late", n=2)
    assert_not_told(scoring["done"], "round.review_late")
    entry = AuditEntry.objects.get(action="round.reviews_remind_late")
    assert entry.changes["reviews"]["after"] == 2


def test_the_review_page_reminds_after_asking(personas: Any, scoring: dict[str, Any], english: Any) -> None:
    rnd = scoring["round"]
    _past(rnd)
    c = Client()
    c.force_login(personas.program_office)
    page = c.get(f"/rounds/{rnd.pk}/reviews/").content.decode()
    assert 'data-testid="remind-late"' in page
    r = c.post(f"/rounds/{rnd.pk}/reviews/remind/")
    assert r.status_code == 200
    assert "1 evaluators with 2 reviews not submitted each get one reminder." in r.content.decode()
    assert_not_told(scoring["late"], "round.review_late")
    r = c.post(f"/rounds/{rnd.pk}/reviews/remind/", {"confirmed": "1"}, follow=True)
    assert "Reminded 1 evaluators of 2 late reviews." in r.content.decode()
    assert_told(scoring["late"], "round.review_late")


def test_the_auditor_sees_no_reminder_button(personas: Any, scoring: dict[str, Any]) -> None:
    _past(scoring["round"])
    c = Client()
    c.force_login(personas.auditor)
    assert (
        'data-testid="remind-late"' not in c.get(f"/rounds/{scoring['round'].pk}/reviews/").content.decode()
    )
