"""Public calls: open, apply with a self-check and documents, screen into nominations; each bad input refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.calls import services
from nic1000.calls.models import CallApplication, CallDocument
from nic1000.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from nic1000.rounds.models import Nomination
from tests.calls.factories import make_call, pdf, xlsx
from tests.rounds.factories import make_round, statement
from tests.told import assert_told

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(personas: Any) -> Any:
    return make_round(acting_user=personas.program_office, state="nominating")


def _apply(personas: Any, call: Any, **documents: Any) -> CallApplication:
    docs = documents or {"사업계획서": pdf(), "재무제표": xlsx()}
    return services.call_application_submit(
        call=call, statement="AI 반도체 설계", documents=docs, acting_user=personas.company_a
    )


def test_a_company_applies_and_the_body_nominates_it(personas: Any, rnd: Any) -> None:
    statement(personas.company_a_obj)
    call = make_call(round=rnd, by=personas.ministry_mss)
    application = _apply(personas, call)
    assert application.state == "submitted"
    assert sorted(CallDocument.objects.filter(application=application).values_list("kind", flat=True)) == [
        "pdf",
        "xlsx",
    ]
    assert_told(personas.ministry_mss, "call.application_received")
    nomination = services.call_application_accept(application=application, acting_user=personas.ministry_mss)
    application.refresh_from_db()
    assert application.state == "accepted" and application.nomination_id == nomination.pk
    assert nomination.body.code == "MSS" and nomination.candidacy.company == personas.company_a_obj
    assert_told(personas.company_a, "call.application_decided")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "call.create",
        "call_application.submit",
        "call_application.accept",
        "nomination.create",
    } <= actions


def test_a_rejection_needs_a_reason_and_tells_the_company(personas: Any, rnd: Any) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss)
    application = _apply(personas, call)
    with pytest.raises(ValidationFailed):
        services.call_application_reject(
            application=application, reason=" ", acting_user=personas.ministry_mss
        )
    services.call_application_reject(
        application=application, reason="기술성 미흡", acting_user=personas.ministry_mss
    )
    application.refresh_from_db()
    assert application.state == "rejected" and application.decision_reason == "기술성 미흡"
    n = assert_told(personas.company_a, "call.application_decided")
    assert n.params["reason"] == "기술성 미흡"
    assert not Nomination.objects.exists()


def test_a_closed_call_takes_no_application(personas: Any, rnd: Any) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss, open_now=False)
    with pytest.raises(Conflict) as exc:
        _apply(personas, call)
    assert exc.value.code == "call_closed"
    past = make_call(
        round=rnd,
        by=personas.ministry_mss,
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
        title="지난 공모",
    )
    with pytest.raises(Conflict):
        _apply(personas, past)
    assert not CallApplication.objects.exists() and not CallDocument.objects.exists()


@pytest.mark.parametrize(
    "documents,field",
    [
        ({"사업계획서": pdf()}, "document_1"),  # one missing
        (
            {"사업계획서": SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"), "재무제표": xlsx()},
            "document_0",
        ),  # a program renamed .pdf
    ],
)
def test_documents_are_required_and_judged_by_content(
    personas: Any, rnd: Any, documents: dict[str, Any], field: str
) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss)
    with pytest.raises(ValidationFailed) as exc:
        _apply(personas, call, **documents)
    assert field in [d.field for d in exc.value.details]
    assert not CallApplication.objects.exists()


def test_a_document_too_large_is_refused(personas: Any, rnd: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", 10)
    call = make_call(round=rnd, by=personas.ministry_mss)
    with pytest.raises(ValidationFailed):
        _apply(personas, call)
    assert not CallApplication.objects.exists()


def test_an_ineligible_company_is_told_why_and_cannot_apply(personas: Any, rnd: Any) -> None:
    statement(personas.company_a_obj, credit_delinquency=True)
    call = make_call(round=rnd, by=personas.ministry_mss)
    eligible, reasons, member = services.application_self_check(call=call, company=personas.company_a_obj)
    assert not eligible and not member and any(r["ok"] == "no" for r in reasons)
    with pytest.raises(Conflict) as exc:
        _apply(personas, call)
    assert exc.value.code == "not_eligible"


def test_one_application_per_call(personas: Any, rnd: Any) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss)
    _apply(personas, call)
    with pytest.raises(Conflict):
        _apply(personas, call)
    assert CallApplication.objects.count() == 1


def test_another_body_cannot_screen(personas: Any, rnd: Any) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss)
    application = _apply(personas, call)
    with pytest.raises(NotFound):
        services.call_application_accept(application=application, acting_user=personas.ministry_motie)
    with pytest.raises(NotFound):
        services.call_application_reject(
            application=application, reason="x", acting_user=personas.ministry_motie
        )
    application.refresh_from_db()
    assert application.state == "submitted"


def test_only_ministries_open_calls_and_only_companies_apply(personas: Any, rnd: Any) -> None:
    with pytest.raises(ApplicationError):
        make_call(round=rnd, by=personas.company_a)
    call = make_call(round=rnd, by=personas.ministry_mss)
    with pytest.raises(ApplicationError):
        services.call_application_submit(
            call=call,
            statement="x",
            documents={"사업계획서": pdf(), "재무제표": xlsx()},
            acting_user=personas.ministry_mss,
        )


def test_a_call_must_close_after_it_opens(personas: Any, rnd: Any) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed):
        make_call(round=rnd, by=personas.ministry_mss, opens_at=now, closes_at=now - dt.timedelta(days=1))


def test_the_company_withdraws_its_own_application_only(personas: Any, rnd: Any) -> None:
    call = make_call(round=rnd, by=personas.ministry_mss)
    application = _apply(personas, call)
    with pytest.raises(NotFound):
        services.call_application_withdraw(application=application, acting_user=personas.company_b)
    services.call_application_withdraw(application=application, acting_user=personas.company_a)
    application.refresh_from_db()
    assert application.state == "withdrawn"
