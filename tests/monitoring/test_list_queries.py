"""Every monitoring list page costs the same queries for N rows as for 3N (no query per row)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.monitoring.models import (
    DifficultySurvey,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    Removal,
    SupportCase,
)
from tests.factories import CompanyFactory, UserFactory, statement_values
from tests.monitoring.factories import member


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _queries(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm: session, user, settings rows
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _same_for_n_and_3n(client: Client, url: str, add: Callable[[int], None], n: int = 3) -> None:
    add(n)
    few = _queries(client, url)
    add(2 * n)
    assert _queries(client, url) == few


def _results(k: int) -> None:
    run = InspectionRun.objects.get_or_create(
        period="2026-05", defaults={"status": "done", "created_at": timezone.now(), "processed": 1}
    )[0]
    for i in range(k):
        m = member(CompanyFactory())
        InspectionResult.objects.create(
            run=run, period="2026-05", company=m.company, membership=m, probability=0.1 * (i % 9),
            level=["normal", "watch", "warning", "critical"][i % 4], rules=["model_watch"],
        )  # fmt: skip


def _runs(k: int) -> None:
    start = InspectionRun.objects.count()
    for i in range(start, start + k):
        InspectionRun.objects.create(
            period=f"{2000 + i // 12}-{i % 12 + 1:02d}", status="done", created_at=timezone.now(),
            counts={"normal": 3, "warning": 1},
        )  # fmt: skip


def _cases(owner) -> Callable[[int], None]:  # type: ignore[no-untyped-def]
    def add(k: int) -> None:
        for _ in range(k):
            m = member(CompanyFactory())
            SupportCase.objects.create(
                company=m.company, membership=m, level="warning", owner=owner, opened_at=timezone.now()
            )

    return add


def _surveys(k: int) -> None:
    now = timezone.now()
    for _ in range(k):
        company = member(CompanyFactory()).company
        rep = UserFactory(role="company", company=company)
        MonthlySurvey.objects.create(
            company=company, period="2026-05", support_status="received", submitted_by=rep, submitted_at=now
        )
        DifficultySurvey.objects.create(
            company=company, half="2026H1", satisfaction=3, difficulties=["funding", "sales"],
            submitted_by=rep, submitted_at=now,
        )  # fmt: skip


def _removals(by) -> Callable[[int], None]:  # type: ignore[no-untyped-def]
    def add(k: int) -> None:
        for i in range(k):
            m = member(CompanyFactory(), body=["MSS", "MOTIE"][i % 2])
            Membership.objects.filter(pk=m.pk).update(
                status="removed", removal_reason="going_concern", removal_note="re-evaluation"
            )
            Removal.objects.create(membership=m, removed_at=timezone.now(), removed_by=by)

    return add


@pytest.mark.django_db
def test_inspection_pages(personas) -> None:
    group = _client(personas.support)
    _same_for_n_and_3n(group, reverse("monitoring:dashboard"), _results)
    _same_for_n_and_3n(group, reverse("monitoring:run_list"), _runs)
    # A ministry sees its own companies' results, scoped in the same queries.
    _same_for_n_and_3n(_client(personas.ministry_mss), reverse("monitoring:dashboard"), _results)


@pytest.mark.django_db
def test_case_survey_and_removal_pages(personas) -> None:
    group = _client(personas.support)
    _same_for_n_and_3n(group, reverse("monitoring:case_list"), _cases(personas.support))
    _same_for_n_and_3n(group, reverse("monitoring:survey_list"), _surveys)
    office = _client(personas.program_office)
    _same_for_n_and_3n(office, reverse("monitoring:removal_list"), _removals(personas.program_office))


def _non_responders(k: int) -> None:
    for _ in range(k):
        member(CompanyFactory())


@pytest.mark.django_db
def test_survey_followup_page(personas) -> None:
    from nic1000.monitoring.periods import period_of

    url = reverse("monitoring:survey_followup") + f"?period={period_of()}"
    _same_for_n_and_3n(_client(personas.support), url, _non_responders)
    _same_for_n_and_3n(_client(personas.ministry_mss), url, _non_responders)


@pytest.mark.django_db
def test_company_statement_page(personas) -> None:
    from nic1000.registry.models import FinancialStatement

    company = personas.company_a_obj
    years = iter(range(2000, 2030))

    def add(k: int) -> None:
        for _ in range(k):
            FinancialStatement.objects.create(company=company, fiscal_year=next(years), **statement_values())

    _same_for_n_and_3n(_client(personas.company_a), reverse("monitoring:statements"), add)


@pytest.mark.django_db
def test_reevaluation_list(personas) -> None:  # type: ignore[no-untyped-def]
    """The office's and a body's view of a half-year's re-evaluations (and what the body has due)."""
    from nic1000.designations.models import Reevaluation, ReevaluationPeriod

    period = ReevaluationPeriod.objects.create(
        half="2026H1", opened_on=timezone.localdate(), due_on=timezone.localdate()
    )

    def add(k: int) -> None:
        for _ in range(k):
            m = member(CompanyFactory(), body="MSS")
            member(CompanyFactory(), body="MSS")  # still due
            Reevaluation.objects.create(
                period=period, membership=m, body=m.body, innovation_effort=3, growth=3, financial=3,
                non_financial=3, recommendation="continue", filed_by=personas.ministry_mss, filed_at=timezone.now(),
            )  # fmt: skip

    url = reverse("monitoring:reevaluation_list")
    _same_for_n_and_3n(_client(personas.program_office), url, add)
    _same_for_n_and_3n(_client(personas.ministry_mss), url, add)


def test_the_pages_above_are_every_list_page() -> None:
    """A new list page must get its query-count test here."""
    from nic1000.monitoring import urls

    lists = {
        "dashboard",
        "run_list",
        "case_list",
        "survey_list",
        "removal_list",
        "statements",
        "survey_followup",
        "reevaluation_list",
    }
    detail_or_form = {
        "run_start", "company_detail", "case_detail", "case_assign", "case_action", "case_transition",
        "monthly_survey", "difficulty_survey", "survey_review", "membership_remove", "statement_submit",
        "statement_upload",
        "risk_calibration", "risk_calibration_change",  # the grade table and the last 20 calibrations
        "case_open", "survey_remind",
        "reevaluation_period_open", "reevaluation_detail", "reevaluation_decision", "reevaluation_file",
    }  # fmt: skip
    assert {p.name for p in urls.urlpatterns} == lists | detail_or_form
