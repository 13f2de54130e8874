"""Who monitoring tells (issue 13): each event reaches its people, and each daily job run twice sends nothing new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nic1000.core.models import Notification
from nic1000.monitoring.models import MonthlySurvey, SupportCase
from nic1000.monitoring.services import reminders
from nic1000.monitoring.services.chasing import statements_due_on, statements_follow_up
from tests.factories import UserFactory
from tests.monitoring.factories import member, statements
from tests.told import assert_not_told, assert_told, told


def _count(kind: str) -> int:
    return Notification.objects.filter(kind=kind).count()


# ---------------------------------------------------------------- statements


def test_statements_are_due_by_the_end_of_april_of_the_next_year() -> None:
    assert statements_due_on(2025) == dt.date(2026, 4, 30)


@pytest.mark.django_db
def test_statements_reminded_before_their_due_date_and_chased_once_after(personas) -> None:
    member(personas.company_a_obj)
    member(personas.company_b_obj)
    statements(personas.company_b_obj, [2024, 2025])
    statements(personas.company_a_obj, [2024])
    # March: too early for 2025's reminder (due 30 April); 2024's are in, nothing to chase.
    assert statements_follow_up(today=dt.date(2026, 3, 20)) == 0
    # Within 30 days of the due date: company_a's representative is reminded, once.
    assert statements_follow_up(today=dt.date(2026, 4, 10)) == 1
    assert statements_follow_up(today=dt.date(2026, 4, 11)) == 0
    assert_told(personas.company_a, "monitoring.statement_due", year=2025, due="2026-04-30")
    assert_not_told(personas.company_b, "monitoring.statement_due")
    # After the due date: chased once, however often the job runs.
    assert statements_follow_up(today=dt.date(2026, 5, 1)) == 1
    assert statements_follow_up(today=dt.date(2026, 5, 1)) == 0
    assert statements_follow_up(today=dt.date(2026, 6, 1)) == 0
    assert_told(personas.company_a, "statement_missing", year=2025)
    assert (_count("monitoring.statement_due"), _count("statement_missing")) == (1, 1)


@pytest.mark.django_db
def test_the_scheduled_job_runs_once_per_day(personas) -> None:
    from nic1000.core.schedule import jobs, run_job

    member(personas.company_a_obj)
    job = next(j for j in jobs() if j.name == "monitoring.statements_due")
    now = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    assert run_job(job, now=now) is True
    assert run_job(job, now=now) is False  # the day's slot is taken
    assert_told(personas.company_a, "statement_missing", year=2025)
    assert {j.name for j in jobs()} >= {
        "monitoring.statements_due",
        "monitoring.surveys_due",
        "monitoring.cases_due",
    }


# ---------------------------------------------------------------- surveys


@pytest.mark.django_db
def test_survey_reminded_near_the_month_end_and_overdue_once_in_the_next(personas) -> None:
    from nic1000.designations.models import Membership

    member(personas.company_a_obj)
    member(personas.company_b_obj)
    Membership.objects.update(
        selected_on=dt.date(2026, 5, 1)
    )  # designated in May: April is not theirs to answer
    MonthlySurvey.objects.create(
        company=personas.company_b_obj,
        period="2026-05",
        support_status="received",
        submitted_at=timezone.now(),
    )
    assert reminders.surveys_follow_up(today=dt.date(2026, 5, 10)) == 0  # mid-month: nobody yet
    assert reminders.surveys_follow_up(today=dt.date(2026, 5, 26)) == 1
    assert reminders.surveys_follow_up(today=dt.date(2026, 5, 27)) == 0
    assert_told(personas.company_a, "monitoring.survey_due", period="2026-05")
    assert_not_told(personas.company_b, "monitoring.survey_due")
    # The next month: May is overdue for company_a, once; June's reminder waits for June's last week.
    assert reminders.surveys_follow_up(today=dt.date(2026, 6, 2)) == 1
    assert reminders.surveys_follow_up(today=dt.date(2026, 6, 3)) == 0
    assert_told(personas.company_a, "monitoring.survey_overdue", period="2026-05")
    assert_not_told(personas.company_b, "monitoring.survey_overdue")
    # A company that left the programme is not chased.
    Membership.objects.filter(company=personas.company_a_obj).update(
        status="removed", ended_on=dt.date(2026, 6, 1)
    )
    assert reminders.surveys_follow_up(today=dt.date(2026, 6, 28)) == 1  # company_b for June only
    assert_told(personas.company_b, "monitoring.survey_due", period="2026-06")
    assert (_count("monitoring.survey_due"), _count("monitoring.survey_overdue")) == (2, 1)


@pytest.mark.django_db
def test_cases_past_due_tell_the_owner_or_the_group_once(personas) -> None:
    other = UserFactory(username="support2", role="support_group")
    ma, mb = member(personas.company_a_obj), member(personas.company_b_obj)
    today = timezone.localdate()
    owned = SupportCase.objects.create(
        company=ma.company, membership=ma, level="warning", owner=other, opened_at=timezone.now(),
        due_on=today - dt.timedelta(days=1),
    )  # fmt: skip
    unowned = SupportCase.objects.create(
        company=mb.company, membership=mb, level="warning", opened_at=timezone.now(), due_on=today
    )
    assert reminders.cases_follow_up(today=today) == 1  # the unowned one is due today, not past it
    assert_told(other, "monitoring.case_due", case=owned.pk)
    assert_not_told(personas.support, "monitoring.case_due")
    assert reminders.cases_follow_up(today=today) == 0
    tomorrow = today + dt.timedelta(days=1)
    assert reminders.cases_follow_up(today=tomorrow) == 2  # the unowned case: the whole group (2 members)
    assert_told(personas.support, "monitoring.case_due", case=unowned.pk)
    assert reminders.cases_follow_up(today=tomorrow + dt.timedelta(days=1)) == 0
    # A new due date is a new reminder once it has passed.
    SupportCase.objects.filter(pk=owned.pk).update(due_on=tomorrow)
    assert reminders.cases_follow_up(today=tomorrow + dt.timedelta(days=1)) == 1
    assert len(told(other, "monitoring.case_due")) == 3  # owned twice, unowned once


# ---------------------------------------------------------------- events


@pytest.mark.django_db
def test_removal_tells_the_company_and_its_ministry(personas) -> None:
    from nic1000.monitoring.services.removals import membership_remove

    second_mss = UserFactory(username="mss2", role="ministry_officer", body=personas.ministry_mss.body)
    m = member(personas.company_a_obj, body="MSS")
    membership_remove(membership=m, reason="other", note="re-evaluation", acting_user=personas.program_office)
    on = str(timezone.localdate())
    assert_told(personas.company_a, "designation.removed", on=on)
    assert_told(personas.ministry_mss, "designation.removed", company=personas.company_a_obj.name_ko)
    assert_told(second_mss, "designation.removed")
    for other in (personas.ministry_motie, personas.company_b, personas.program_office):
        assert_not_told(other, "designation.removed")


@pytest.mark.django_db
def test_a_calibration_change_tells_the_group_and_the_office(personas) -> None:
    from nic1000.monitoring.services import risk

    risk.risk_base_rate_set(base_rate=0.015, acting_user=personas.support, note="first")
    assert_told(personas.program_office, "monitoring.risk_calibration", rate="1.50%")
    assert_not_told(personas.support, "monitoring.risk_calibration")  # who changed it
    risk.risk_base_rate_set(base_rate=0.02, acting_user=personas.program_office)
    assert_told(personas.support, "monitoring.risk_calibration", rate="2.00%")
    assert len(told(personas.program_office, "monitoring.risk_calibration")) == 1


@pytest.mark.django_db
def test_an_inspection_tells_the_group_of_new_warnings_once_and_each_company_of_its_case(personas) -> None:
    from nic1000.monitoring.services.inspections import inspection_run
    from tests.monitoring.factories import distressed

    for company in (personas.company_a_obj, personas.company_b_obj):
        member(company)
        statements(company, {2024: {}, 2025: distressed()})
    inspection_run(period="2026-05", acting_user=None, explain=False)
    note = assert_told(personas.support, "monitoring.warning", period="2026-05")
    assert note.params["n"] == 2 and note.params["uncased"] == 0
    assert note.link == "/monitoring/?period=2026-05&level=warning"
    assert_told(personas.support, "inspection", period="2026-05")  # the run's summary stays
    for rep, company in (
        (personas.company_a, personas.company_a_obj),
        (personas.company_b, personas.company_b_obj),
    ):
        case = SupportCase.objects.get(company=company)
        assert_told(rep, "monitoring.case_opened", case=case.pk)
    # The next month: the same companies are not new; nobody is told of them again.
    inspection_run(period="2026-06", acting_user=None, explain=False)
    assert len(told(personas.support, "monitoring.warning")) == 1
    assert len(told(personas.company_a, "monitoring.case_opened")) == 1
