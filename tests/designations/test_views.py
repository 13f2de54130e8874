"""The re-evaluation pages: what a body has due, its form (errors re-rendered, others' companies 404), the
office's decision asked first and reported after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from nic1000.designations.models import Membership, Reevaluation
from nic1000.designations.reevaluations import reevaluation_period_open
from tests.finance.factories import select
from tests.told import assert_told

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def due(personas):  # type: ignore[no-untyped-def]
    m = select(personas.company_a_obj, body_code="MSS")
    reevaluation_period_open(
        half="2027H1",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        acting_user=personas.program_office,
    )
    return m


FORM = {
    "innovation_effort": "2",
    "innovation_effort_comment": "R&D cut",
    "growth": "2",
    "growth_comment": "",
    "financial": "1",
    "financial_comment": "losses",
    "non_financial": "2",
    "non_financial_comment": "",
    "recommendation": "remove",
}


def test_body_files_a_reevaluation_and_the_office_removes_after_confirming(personas, due) -> None:  # type: ignore[no-untyped-def]
    mss = _client(personas.ministry_mss)
    page = mss.get("/monitoring/reevaluations/")
    assert (
        page.status_code == 200 and f"/monitoring/reevaluations/companies/{due.pk}/" in page.content.decode()
    )
    bad = mss.post(f"/monitoring/reevaluations/companies/{due.pk}/", {**FORM, "growth": ""})
    assert bad.status_code == 422 and not Reevaluation.objects.exists()
    assert mss.post(f"/monitoring/reevaluations/companies/{due.pk}/", FORM).status_code == 302
    r = Reevaluation.objects.get()
    due.refresh_from_db()
    assert due.status == Membership.Status.UNDER_REEVALUATION
    assert mss.get(f"/monitoring/reevaluations/{r.pk}/").status_code == 200
    # Another body's officer sees neither the company's form nor the re-evaluation.
    motie = _client(personas.ministry_motie)
    assert motie.get(f"/monitoring/reevaluations/companies/{due.pk}/").status_code == 404
    assert motie.get(f"/monitoring/reevaluations/{r.pk}/").status_code == 404
    office = _client(personas.program_office)
    data = {"decision": "remove", "reason": "weak_marketability", "note": "weak"}
    ask = office.post(f"/monitoring/reevaluations/{r.pk}/decide/", data)
    assert ask.status_code == 200 and 'name="confirmed"' in ask.content.decode()
    due.refresh_from_db()
    assert due.status == Membership.Status.UNDER_REEVALUATION  # nothing yet
    missing = office.post(
        f"/monitoring/reevaluations/{r.pk}/decide/", {**data, "reason": "", "confirmed": "1"}
    )
    assert missing.status_code == 422
    done = office.post(f"/monitoring/reevaluations/{r.pk}/decide/", {**data, "confirmed": "1"})
    assert done.status_code == 302
    due.refresh_from_db()
    assert due.status == Membership.Status.REMOVED
    assert_told(personas.company_a, "designation.reevaluated")


def test_period_form_errors_rerender(personas, due) -> None:  # type: ignore[no-untyped-def]
    office = _client(personas.program_office)
    r = office.post("/monitoring/reevaluations/open/", {"half": "2027H1", "due_on": "2099-01-01"})
    assert r.status_code == 422 and "2027H1" in r.content.decode()
    r = office.post("/monitoring/reevaluations/open/", {"half": "x", "due_on": "2099-01-01"})
    assert r.status_code == 422
