"""The support group's pages of issue 13: a case opened by hand, the survey follow-up, and the questions that
irreversible actions ask first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.models import Notification
from nic1000.monitoring.models import MonthlySurvey, RiskCalibration, SupportCase
from nic1000.monitoring.periods import period_of
from tests.monitoring.factories import member
from tests.told import assert_told


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# ---------------------------------------------------------------- a case by hand


@pytest.mark.django_db
def test_open_a_case_by_hand_from_the_company_page(personas, english) -> None:
    member(personas.company_a_obj)
    c = client_for(personas.support)
    company_page = c.get(
        reverse("monitoring:company_detail", args=[personas.company_a_obj.pk])
    ).content.decode()
    assert 'data-testid="case-open"' in company_page
    url = reverse("monitoring:case_open")
    form = c.get(f"{url}?company={personas.company_a_obj.pk}").content.decode()
    assert personas.company_a_obj.brn_display in form
    due = timezone.localdate() + dt.timedelta(days=7)
    r = c.post(
        url,
        {
            "company": personas.company_a_obj.brn_display,
            "level": "warning",
            "summary": "asked for help",
            "due_on": due,
        },
        follow=True,
    )
    case = SupportCase.objects.get()
    assert r.redirect_chain[-1][0] == reverse("monitoring:case_detail", args=[case.pk])
    assert "the support group and the company were notified" in r.content.decode()
    assert (case.summary, case.due_on, case.opened_from_id) == ("asked for help", due, None)
    assert AuditEntry.objects.filter(action="support_case.open", object_id=str(case.pk)).exists()
    assert_told(personas.company_a, "monitoring.case_opened", case=case.pk)
    # Now the company has an open case: the page offers no second one, the form refuses it.
    company_page = c.get(
        reverse("monitoring:company_detail", args=[personas.company_a_obj.pk])
    ).content.decode()
    assert 'data-testid="case-open"' not in company_page
    r = c.post(url, {"company": personas.company_a_obj.brn, "level": "critical", "summary": "again"})
    assert r.status_code == 422 and "already has an open support case" in r.content.decode()
    assert SupportCase.objects.count() == 1


@pytest.mark.django_db
def test_bad_input_rerenders_the_form_and_opens_nothing(personas, english) -> None:
    member(personas.company_a_obj)
    c = client_for(personas.support)
    url = reverse("monitoring:case_open")
    # Not designated (company_b), unknown number, a past due date, nothing filled in.
    r = c.post(url, {"company": personas.company_b_obj.brn, "level": "warning", "summary": "x"})
    assert r.status_code == 422 and "Not a designated company." in r.content.decode()
    r = c.post(url, {"company": "999-99-99999", "level": "warning", "summary": "x"})
    assert r.status_code == 422 and "No company in the registry" in r.content.decode()
    past = timezone.localdate() - dt.timedelta(days=1)
    r = c.post(
        url, {"company": personas.company_a_obj.brn, "level": "warning", "summary": "x", "due_on": past}
    )
    assert r.status_code == 422 and "cannot be in the past" in r.content.decode()
    assert f'value="{personas.company_a_obj.brn}"' in r.content.decode()  # what was typed is kept
    r = c.post(url, {})
    assert r.status_code == 422 and r.content.decode().count('class="errorlist"') >= 2
    # Another role may not.
    for user in (personas.auditor, personas.ministry_mss, personas.company_a):
        assert (
            client_for(user).post(url, {"company": personas.company_a_obj.brn, "summary": "x"}).status_code
            == 403
        )
    assert not SupportCase.objects.exists() and not Notification.objects.exists()


# ---------------------------------------------------------------- asking first


@pytest.mark.django_db
def test_closing_a_case_asks_first_and_reports_after(personas, english) -> None:
    m = member(personas.company_a_obj)
    case = SupportCase.objects.create(
        company=m.company, membership=m, level="warning", opened_at=timezone.now()
    )
    c = client_for(personas.support)
    url = reverse("monitoring:case_transition", args=[case.pk])
    r = c.post(url, {"transition": "close", "reason": "company recovered"})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="confirm"' in page
    assert "company recovered" in page and "cannot be reopened" in page
    case.refresh_from_db()
    assert case.state == "open"
    r = c.post(url, {"transition": "close", "reason": "company recovered", "confirmed": "1"}, follow=True)
    case.refresh_from_db()
    assert case.state == "closed" and "The case was closed." in r.content.decode()
    # Other moves do not ask.
    case2 = SupportCase.objects.create(
        company=personas.company_b_obj, membership=member(personas.company_b_obj), level="warning",
        opened_at=timezone.now(),
    )  # fmt: skip
    assert (
        c.post(reverse("monitoring:case_transition", args=[case2.pk]), {"transition": "start"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_removal_says_what_will_happen(personas, english) -> None:
    m = member(personas.company_a_obj, body="MSS")
    SupportCase.objects.create(company=m.company, membership=m, level="warning", opened_at=timezone.now())
    c = client_for(personas.program_office)
    url = reverse("monitoring:membership_remove", args=[m.pk])
    page = c.post(url, {"reason": "weak_marketability", "note": "review"}).content.decode()
    assert 'data-testid="confirm"' in page
    assert f"ends on {timezone.localdate().isoformat()}" in page and "Weak marketability" in page
    assert "policy-finance eligibility ends" in page
    assert "1 representatives and 1 officers" in page and "(1 vacancies with this one)" in page
    assert "stays open for the support group" in page
    m.refresh_from_db()
    assert m.status == "active"
    r = c.post(url, {"reason": "weak_marketability", "note": "review", "confirmed": "1"}, follow=True)
    m.refresh_from_db()
    assert m.status == "removed" and "the company and" in r.content.decode()
    assert_told(personas.company_a, "designation.removed")


@pytest.mark.django_db
def test_a_calibration_change_asks_first_with_the_new_rate(personas, english) -> None:
    c = client_for(personas.support)
    url = reverse("monitoring:risk_calibration_change")
    page = c.post(url, {"action": "set", "base_rate_percent": "1.5", "note": "x"}).content.decode()
    assert 'data-testid="confirm"' in page and "to 1.50%" in page and "are notified" in page
    assert not RiskCalibration.objects.exists()
    r = c.post(url, {"action": "set", "base_rate_percent": "1.5", "note": "x", "confirmed": "1"}, follow=True)
    assert RiskCalibration.objects.count() == 1 and "were notified" in r.content.decode()
    assert_told(personas.program_office, "monitoring.risk_calibration")
    # Too few outcomes: refused at once, with no question asked.
    r = c.post(url, {"action": "estimate"})
    assert r.status_code == 409 and 'data-testid="confirm"' not in r.content.decode()


# ---------------------------------------------------------------- survey follow-up


@pytest.mark.django_db
def test_survey_followup_lists_filters_exports_and_reminds(personas, english) -> None:
    period = period_of()
    member(personas.company_a_obj, body="MSS")
    member(personas.company_b_obj, body="MOTIE")
    c = client_for(personas.support)
    url = reverse("monitoring:survey_followup")
    page = c.get(url).content.decode()
    assert personas.company_a_obj.name_ko in page and personas.company_b_obj.name_ko in page
    assert "Remind all 2 companies" in page and 'id="survey-rate-data"' in page
    page = c.get(f"{url}?period={period}&body=MOTIE").content.decode()
    assert personas.company_b_obj.name_ko in page and personas.company_a_obj.name_ko not in page
    xlsx = c.get(f"{url}?period={period}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    # A ministry sees its own companies only, and cannot remind.
    page = client_for(personas.ministry_mss).get(url).content.decode()
    assert personas.company_a_obj.name_ko in page and personas.company_b_obj.name_ko not in page
    assert 'data-testid="survey-remind"' not in page
    # One answers: the rate is 50%.
    MonthlySurvey.objects.create(
        company=personas.company_b_obj, period=period, support_status="received", submitted_at=timezone.now()
    )
    page = c.get(url).content.decode()
    assert "50.0%" in page and "Remind the 1 company" in page
    # Remind all: asks with the count, then reports; a second click the same day tells nobody again.
    remind = reverse("monitoring:survey_remind")
    r = c.post(remind, {"period": period})
    assert r.status_code == 200 and "Remind the 1 companies" in r.content.decode()
    assert not Notification.objects.exists()
    r = c.post(remind, {"period": period, "confirmed": "1"}, follow=True)
    assert "1 representatives of the 1 companies without an answer" in r.content.decode()
    assert_told(personas.company_a, "monitoring.survey_due", period=period)
    assert AuditEntry.objects.filter(action="monthly_survey.remind").count() == 1
    c.post(remind, {"period": period, "confirmed": "1"})
    assert Notification.objects.filter(kind="monitoring.survey_due").count() == 1
    # Past months are overdue notices; future months cannot be reminded.
    r = c.post(remind, {"period": "2099-01", "confirmed": "1"}, follow=True)
    assert "is not open yet" in r.content.decode()


@pytest.mark.django_db
def test_response_rate_per_month(personas) -> None:
    from nic1000.monitoring import selectors

    member(personas.company_a_obj)
    member(personas.company_b_obj)
    MonthlySurvey.objects.create(
        company=personas.company_a_obj,
        period="2026-04",
        support_status="received",
        submitted_at=timezone.now(),
    )
    rates = selectors.survey_response_rates(user=personas.support, periods=["2024-12", "2026-04"])
    assert [(r.expected, r.answered) for r in rates] == [(0, 0), (2, 1)]  # designated in January 2025
    assert rates[0].rate is None and rates[1].rate == 0.5
    mss = selectors.survey_response_rates(user=personas.ministry_mss, periods=["2026-04"])
    assert [(r.expected, r.answered) for r in mss] == [(2, 1)]  # both nominated by MSS here


@pytest.mark.django_db
def test_the_case_list_offers_opening_a_case_to_the_group_only(personas) -> None:
    url = reverse("monitoring:case_list")
    assert 'data-testid="case-open"' in client_for(personas.support).get(url).content.decode()
    for user in (personas.ministry_mss, personas.auditor):
        assert 'data-testid="case-open"' not in client_for(user).get(url).content.decode()
