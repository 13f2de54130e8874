"""Role matrix: public calls (anyone reads opened calls; companies apply; the calling body screens)."""

from __future__ import annotations

from typing import Any

from tests.access.spec import EVERYONE, Case, World


def build(world: World) -> None:
    from nic1000.calls.models import CallApplication
    from nic1000.calls.services import call_application_submit
    from tests.calls.factories import make_call, pdf, xlsx
    from tests.rounds.factories import make_round

    p = world["personas"]
    rnd = make_round(acting_user=p.program_office, state="nominating", number=11)
    call = make_call(round=rnd, by=p.ministry_mss)
    world["call"] = call
    application = call_application_submit(
        call=call,
        statement="AI",
        documents={"사업계획서": pdf(), "재무제표": xlsx()},
        acting_user=p.company_a,
    )
    world["call_application"] = application
    world["call_document"] = application.documents.first()
    assert CallApplication.objects.filter(pk=application.pk).exists()


def _call(w: World) -> dict[str, Any]:
    return {"pk": w["call"].pk}


def _application(w: World) -> dict[str, Any]:
    return {"pk": w["call_application"].pk}


SEE_APPLICATION = {"program_office", "auditor", "ministry_officer", "company"}

CASES = [
    Case("calls:list", EVERYONE),
    Case("calls:detail", EVERYONE, kwargs=_call),
    Case("calls:create", {"ministry_officer"}),
    Case("calls:mine", {"company"}),
    Case("calls:apply", {"company"}, kwargs=_call),
    Case("calls:applications", {"program_office", "auditor", "ministry_officer"}, kwargs=_call),
    Case("calls:application", SEE_APPLICATION, kwargs=_application),
    Case(
        "calls:decide",
        {"ministry_officer"},
        kwargs=_application,
        method="POST",
        data={"decision": "reject", "reason": "x"},
        ok=frozenset({200}),
    ),
    Case(
        "calls:withdraw",
        {"company"},
        kwargs=_application,
        method="POST",
        data={},
        ok=frozenset({200}),
    ),
    Case("calls:document", SEE_APPLICATION, kwargs=lambda w: {"pk": w["call_document"].pk}),
]
