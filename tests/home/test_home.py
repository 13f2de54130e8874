"""The home page says what each role has to do now: counts right, links that work, others' data never counted,
and a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from nic1000.audit.services import audit_record
from nic1000.audit.verification import chain_verify
from nic1000.home import selectors as S
from nic1000.monitoring.models import InspectionResult, InspectionRun, MonthlySurvey, SupportCase
from nic1000.monitoring.periods import period_of
from nic1000.rounds.models import Quota, Review
from tests.factories import CompanyFactory
from tests.finance.factories import make_application
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _by_label(lines: list[S.Line], text: str) -> S.Line:
    found = [ln for ln in lines if text in ln.label]
    assert found, f"no line with {text!r}: {[ln.label for ln in lines]}"
    return found[0]


def _links_work(user: Any, lines: list[S.Line]) -> None:
    client = Client()
    client.force_login(user)
    for line in lines:
        assert client.get(line.url).status_code == 200, line


def _queries(fn: Any, user: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn(user=user, now=NOW)
    return len(ctx.captured_queries)


# ---------------------------------------------------------------------------------------------- programme office


def _evaluating_round(p: Any, *, n: int) -> Any:
    rnd = make_round(acting_user=p.program_office, state="evaluating", number=4)
    rnd.scoring_deadline = NOW - dt.timedelta(days=1)
    rnd.save(update_fields=["scoring_deadline"])
    e = make_evaluator("home_eval", user=p.evaluator)
    for _ in range(n):
        make_assignment(make_candidacy(rnd, by=p.ministry_mss), e)
    return rnd


def test_office_lines(personas: Any) -> None:
    p = personas
    rnd = _evaluating_round(p, n=2)
    InspectionRun.objects.create(period="2026-10", created_at=NOW)
    case_company = CompanyFactory()
    SupportCase.objects.create(
        company=case_company,
        level="warning",
        opened_at=NOW,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    SupportCase.objects.create(company=CompanyFactory(), level="warning", opened_at=NOW, state="closed",
                               due_on=timezone.localdate() - dt.timedelta(days=2))  # fmt: skip
    lines = S.office_lines(user=p.program_office, now=NOW)
    stage = _by_label(lines, f"{rnd.name}: Evaluating")
    assert stage.deadline == rnd.scoring_deadline and stage.urgency == S.LATE
    assert _by_label(lines, "without enough evaluators").count == 2  # 1 of 3 evaluators each
    late = _by_label(lines, "past the scoring deadline")
    assert late.count == 2 and late.urgency == S.LATE
    assert _by_label(lines, "Inspections pending").count == 1
    assert _by_label(lines, "past their due date").count == 1  # the closed case is not counted
    _links_work(p.program_office, lines)


def test_office_decisions_awaiting(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="selecting")
    lines = S.office_lines(user=personas.program_office, now=NOW)
    assert _by_label(lines, f"{rnd.name}: the committee's selection decision awaits").count == 1
    _links_work(personas.program_office, lines)


def test_office_queries_do_not_grow(personas: Any) -> None:
    _evaluating_round(personas, n=1)
    few = _queries(S.office_lines, personas.program_office)
    rnd = make_round(acting_user=personas.program_office, state="evaluating", number=5)
    e = make_evaluator("home_eval_b")
    for _ in range(6):
        make_assignment(make_candidacy(rnd, by=personas.ministry_mss), e)
    for _ in range(3):
        SupportCase.objects.create(company=CompanyFactory(), level="warning", opened_at=NOW,
                                   due_on=timezone.localdate())  # fmt: skip
    assert _queries(S.office_lines, personas.program_office) == few


# ---------------------------------------------------------------------------------------------- ministry officer


def test_ministry_counts_only_its_body(personas: Any) -> None:
    p = personas
    rnd = make_round(acting_user=p.program_office, state="nominating")
    rnd.nominations_close_at = NOW + dt.timedelta(days=3)
    rnd.save(update_fields=["nominations_close_at"])
    Quota.objects.create(round=rnd, family=Quota.Family.BODY, key="MSS", max_count=5)
    make_candidacy(rnd, by=p.ministry_mss)
    make_candidacy(rnd, by=p.ministry_mss, eligible=False)
    make_candidacy(rnd, bodies=("MOTIE",), by=p.ministry_motie)
    lines = S.ministry_lines(user=p.ministry_mss, now=NOW)
    window = _by_label(lines, "nominations are open")
    assert window.deadline == rnd.nominations_close_at and window.urgency == S.SOON
    assert _by_label(lines, "quota not yet nominated for").count == 3
    mine = _by_label(lines, "your body's nominations")
    assert mine.count == 2 and "1 ineligible" in mine.note
    motie = _by_label(S.ministry_lines(user=p.ministry_motie, now=NOW), "your body's nominations")
    assert motie.count == 1
    _links_work(p.ministry_mss, lines)


def test_ministry_queries_do_not_grow(personas: Any) -> None:
    p = personas
    rnd = make_round(acting_user=p.program_office, state="nominating")
    Quota.objects.create(round=rnd, family=Quota.Family.BODY, key="MSS", max_count=5)
    make_candidacy(rnd, by=p.ministry_mss)
    few = _queries(S.ministry_lines, p.ministry_mss)
    for _ in range(5):
        make_candidacy(rnd, by=p.ministry_mss)
    assert _queries(S.ministry_lines, p.ministry_mss) == few


# ---------------------------------------------------------------------------------------------- evaluator


def test_evaluator_counts_own_assignments(personas: Any) -> None:
    p = personas
    rnd = make_round(acting_user=p.program_office, state="evaluating")
    rnd.scoring_deadline = NOW + dt.timedelta(days=20)
    rnd.save(update_fields=["scoring_deadline"])
    mine = make_evaluator("e_mine", user=p.evaluator)
    other = make_evaluator("e_other", user=p.evaluator2)
    a1, a2, _a3 = (make_assignment(make_candidacy(rnd, by=p.ministry_mss), mine) for _ in range(3))
    Review.objects.create(assignment=a1, state=Review.State.SUBMITTED, updated_at=NOW, submitted_at=NOW)
    Review.objects.create(assignment=a2, state=Review.State.DRAFT, updated_at=NOW)
    make_assignment(make_candidacy(rnd, by=p.ministry_mss), other)
    lines = S.evaluator_lines(user=p.evaluator, now=NOW)
    to_score = _by_label(lines, "Candidacies to score")
    assert to_score.count == 2 and to_score.deadline == rnd.scoring_deadline and to_score.urgency == S.NORMAL
    assert _by_label(lines, "drafts").count == 1
    assert _by_label(S.evaluator_lines(user=p.evaluator2, now=NOW), "Candidacies to score").count == 1
    _links_work(p.evaluator, lines)


# ---------------------------------------------------------------------------------------------- institution


def test_institution_counts_only_its_applications(personas: Any) -> None:
    p = personas
    a = p.company_a_obj
    make_application(a, state="submitted")
    make_application(a, state="under_review", company_reply="here it is")
    make_application(a, state="under_review")  # not answered: nothing asked
    make_application(a, state="approved", approved_amount=1, needed_by=timezone.localdate())
    make_application(a, code="IBK-OPER", state="submitted")  # another institution's
    lines = S.institution_lines(user=p.institution_kdb, now=NOW)
    assert _by_label(lines, "newly routed").count == 1
    assert _by_label(lines, "answered").count == 1
    disburse = _by_label(lines, "not yet disbursed")
    assert disburse.count == 1 and disburse.urgency == S.SOON
    assert _by_label(S.institution_lines(user=p.institution_ibk, now=NOW), "newly routed").count == 1
    _links_work(p.institution_kdb, lines)


# ---------------------------------------------------------------------------------------------- company


def test_company_counts_only_its_own(personas: Any) -> None:
    p = personas
    make_application(p.company_a_obj, state="info_requested", info_request="the plan")
    make_application(p.company_b_obj, state="info_requested", info_request="the plan")
    make_application(p.company_b_obj, state="info_requested", info_request="the plan", code="IBK-OPER")
    lines = S.company_lines(user=p.company_a, now=NOW)
    assert _by_label(lines, "waiting for your information").count == 1
    assert _by_label(lines, "Financial statements for").count == 1  # designated, no statement for the year
    assert _by_label(lines, "Monthly status survey").count == 1
    assert _by_label(lines, "Six-monthly difficulty survey").count == 1
    designation = _by_label(lines, "Designated in")
    assert designation.count is None and designation.deadline is not None
    MonthlySurvey.objects.create(
        company=p.company_a_obj, period=period_of(NOW), support_status="none", submitted_at=NOW
    )
    assert _by_label(S.company_lines(user=p.company_a, now=NOW), "Monthly status survey").count == 0
    assert _by_label(S.company_lines(user=p.company_b, now=NOW), "waiting for your information").count == 2
    _links_work(p.company_a, lines)


def test_company_with_nothing_to_do_is_told_kindly(personas: Any) -> None:
    client = Client()
    client.force_login(personas.company_a)
    html = client.get("/").content.decode()
    assert 'data-testid="nothing-to-do"' in html and "Nothing to do" in html
    assert "nic-card" in html  # the menu stays below


# ---------------------------------------------------------------------------------------------- support group


def test_support_lines(personas: Any) -> None:
    p = personas
    run = InspectionRun.objects.create(period="2026-10", status="done", processed=3, created_at=NOW)
    alone, with_case, fine = CompanyFactory(), CompanyFactory(), CompanyFactory()
    for company, level in ((alone, "critical"), (with_case, "warning"), (fine, "normal")):
        InspectionResult.objects.create(run=run, period="2026-10", company=company, level=level)
    today = timezone.localdate()
    SupportCase.objects.create(
        company=with_case, level="warning", opened_at=NOW, due_on=today + dt.timedelta(2)
    )
    SupportCase.objects.create(company=CompanyFactory(), level="warning", opened_at=NOW,
                               due_on=today - dt.timedelta(days=1))  # fmt: skip
    lines = S.support_lines(user=p.support, now=NOW)
    assert _by_label(lines, "Warnings without a support case").count == 1
    assert _by_label(lines, "due within a week").count == 1
    assert _by_label(lines, "past their due date").count == 1
    _links_work(p.support, lines)


# ---------------------------------------------------------------------------------------------- auditor


def test_auditor_lines(personas: Any) -> None:
    p = personas
    lines = S.auditor_lines(user=p.auditor, now=NOW)
    assert _by_label(lines, "never been verified").count == 1
    with transaction.atomic():
        audit_record(
            actor=p.program_office, action="publication.create", object_type="rounds.round", object_id=1
        )
        audit_record(
            actor=p.program_office, action="user.2fa_reset", object_type="accounts.user", object_id=2
        )
        audit_record(actor=p.program_office, action="round.create", object_type="rounds.round", object_id=1)
    chain_verify(acting_user=p.auditor)
    lines = S.auditor_lines(user=p.auditor, now=timezone.now())
    verified = _by_label(lines, "Last chain verification: intact")
    assert verified.deadline is not None and verified.urgency == S.NORMAL
    assert _by_label(lines, "Publications").count == 1
    assert _by_label(lines, "Second-factor resets").count == 1
    assert _by_label(lines, "Audit trail verified").count == 1
    _links_work(p.auditor, lines)


# ---------------------------------------------------------------------------------------------- every role


@pytest.mark.parametrize("role", list(S.ROLE_LINES))
def test_each_role_sees_its_own_list_in_bounded_queries(personas: Any, role: str) -> None:
    user = personas.by_role()[role]
    fn = S.ROLE_LINES[role]
    first = _queries(fn, user)
    assert first <= 8, (role, first)
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="todo"' in html


def test_the_public_sees_the_programme_and_the_login(db: None) -> None:
    html = Client().get("/").content.decode()
    assert 'data-testid="todo"' not in html and "/accounts/login/" in html


def test_office_sees_failed_emails_and_appeals_ministry_its_call_applications(personas: Any) -> None:
    from nic1000.activity.services import notify
    from nic1000.appeals.services import appeal_file
    from nic1000.calls.services import call_application_submit
    from nic1000.core.models import NotificationDelivery
    from tests.appeals.factories import decisions_for
    from tests.calls.factories import make_call, pdf, xlsx

    personas.support.email = "support@example.kr"
    personas.support.save()
    notify(recipients=[personas.support], kind="inspection", title="x")
    NotificationDelivery.objects.update(status=NotificationDelivery.Status.FAILED)
    decisions = decisions_for(personas)
    appeal_file(kind="refusal", target_id=decisions.refusal.pk, reasons="r", acting_user=personas.company_a)
    appeal_file(
        kind="non_selection",
        target_id=decisions.non_selection.pk,
        reasons="r",
        acting_user=personas.company_a,
    )
    office = S.office_lines(user=personas.program_office, now=NOW)
    assert _by_label(office, "could not be sent").count == 1
    assert _by_label(office, "Appeals waiting").count == 1  # the refusal is KDB's to decide
    assert (
        _by_label(S.institution_lines(user=personas.institution_kdb, now=NOW), "Appeals waiting").count == 1
    )
    assert (
        _by_label(S.institution_lines(user=personas.institution_ibk, now=NOW), "Appeals waiting").count == 0
    )
    rnd = make_round(acting_user=personas.program_office, state="nominating", number=9)
    call = make_call(round=rnd, by=personas.ministry_mss)
    call_application_submit(
        call=call,
        statement="AI",
        documents={"사업계획서": pdf(), "재무제표": xlsx()},
        acting_user=personas.company_b,
    )
    assert _by_label(S.ministry_lines(user=personas.ministry_mss, now=NOW), "to be screened").count == 1
    assert _by_label(S.ministry_lines(user=personas.ministry_motie, now=NOW), "to be screened").count == 0
    _links_work(personas.program_office, office)
