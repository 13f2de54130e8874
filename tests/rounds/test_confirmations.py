"""Irreversible steps of a round ask first (saying what will happen, with counts) and report after (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from nic1000.core.roles import Role
from nic1000.rounds.models import Assignment, Candidacy, Publication, Round
from tests.factories import UserFactory
from tests.rounds.factories import (
    make_assignment,
    make_candidacy,
    make_evaluator,
    make_round,
    make_selecting_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(settings: Any) -> Any:
    """English wording for the test (pytest-django's `settings` puts the language back afterwards)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office(personas: Any) -> Client:
    c = Client()
    c.force_login(personas.program_office)
    return c


def test_opening_nominations_asks_first_then_says_who_was_told(
    personas: Any, office: Client, english: Any
) -> None:
    rnd = make_round(acting_user=personas.program_office)
    url = f"/rounds/{rnd.pk}/transition/"
    r = office.post(url, {"transition": "open_nominations"})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="confirm-consequences"' in page
    assert "2 ministry officers of 2 ministries and agencies are told they may nominate." in page
    rnd.refresh_from_db()
    assert rnd.state == "draft"
    r = office.post(url, {"transition": "open_nominations", "confirmed": "1"}, follow=True)
    assert "Nominations are open; 2 ministry officers of 2 bodies were told." in r.content.decode()
    rnd.refresh_from_db()
    assert rnd.state == "nominating"


def test_closing_scoring_says_how_many_reviews_will_not_count(
    personas: Any, office: Client, english: Any
) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    make_assignment(make_candidacy(rnd), make_evaluator("e1", user=personas.evaluator))
    r = office.post(f"/rounds/{rnd.pk}/transition/", {"transition": "start_selection"})
    assert "1 reviews by 1 evaluators are not submitted and will not count." in r.content.decode()


def test_a_blocked_step_is_refused_at_once_without_asking(
    personas: Any, office: Client, english: Any
) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")  # nobody nominated yet
    r = office.post(f"/rounds/{rnd.pk}/transition/", {"transition": "start_evaluation"}, follow=True)
    assert 'data-testid="confirm-yes"' not in r.content.decode()
    assert "no eligible candidacy was nominated" in r.content.decode()
    assert Round.objects.get(pk=rnd.pk).state == "nominating"


def test_publication_asks_first_and_then_tells_the_truth_about_who_was_told(
    personas: Any, office: Client, english: Any
) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=4, selected=2)
    first = rnd.candidacies.order_by("rank").first()
    assert first is not None
    UserFactory(
        username="rep_first", role=Role.COMPANY, company=first.company
    )  # the other selected: no account
    url = f"/rounds/{rnd.pk}/publish/"
    page = office.post(url).content.decode()
    assert "2 companies are designated, each with a certificate of designation" in page
    assert "2 candidacies are not selected." in page
    assert (
        "1 representatives of selected companies are told; 1 selected companies have no account yet." in page
    )
    assert not Publication.objects.filter(round=rnd).exists()
    page = office.post(url, {"confirmed": "1"}, follow=True).content.decode()
    assert "Published: 2 companies designated; 1 representatives told" in page
    assert "1 selected companies have no account yet" in page
    assert "The selected companies have been told" not in page
    assert Publication.objects.filter(round=rnd).count() == 1


def test_overriding_a_selection_asks_first(personas: Any, office: Client, english: Any) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, decided=False)
    c = rnd.candidacies.order_by("rank").last()
    assert c is not None
    url = f"/rounds/candidacies/{c.pk}/force/"
    page = office.post(url, {"forced": "in", "reason": "위원회 의결"}).content.decode()
    assert "is forced into the selection, whatever its score." in page
    assert Candidacy.objects.get(pk=c.pk).forced == ""
    page = office.post(url, {"forced": "in", "reason": "위원회 의결", "confirmed": "1"}, follow=True)
    assert "Override recorded for" in page.content.decode()
    assert Candidacy.objects.get(pk=c.pk).forced == "in"


def test_unassigning_asks_first_and_adding_does_not(personas: Any, office: Client, english: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    cand = make_candidacy(rnd)
    a = make_assignment(cand, make_evaluator("e1", user=personas.evaluator))
    other = make_evaluator("e2", user=personas.evaluator2)
    url = f"/rounds/{rnd.pk}/assignments/change/"
    data = {"candidacy": cand.pk, "remove": a.pk, "reason": "전문성 부족"}
    page = office.post(url, data).content.decode()
    assert "stops evaluating" in page and 'data-testid="confirm-yes"' in page
    assert Assignment.objects.get(pk=a.pk).active
    page = office.post(url, {**data, "confirmed": "1"}, follow=True).content.decode()
    assert "Assignment changed:" in page
    assert not Assignment.objects.get(pk=a.pk).active
    r = office.post(url, {"candidacy": cand.pk, "add_evaluator": other.pk, "reason": "보강"})
    assert r.status_code == 302
    assert Assignment.objects.filter(candidacy=cand, evaluator=other, active=True).exists()
