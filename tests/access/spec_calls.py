"""Role matrix: public calls (anyone reads opened calls; companies apply; the calling body screens)."""

from __future__ import annotations

from typing import Any

from tests.access.spec import EVERYONE, Case, World


def build(world: World) -> None:
    from django.utils import timezone

    from nic1000.calls.models import CallApplication, CallDocument
    from tests.calls.factories import PDF, make_call, pdf
    from tests.rounds.factories import make_round

    p = world["personas"]
    rnd = make_round(acting_user=p.program_office, state="nominating", number=11)
    call = make_call(round=rnd, by=p.ministry_mss)
    world["call"] = call
    # Set up directly: company_a is designated by other specs' builds, and a designated company cannot apply.
    application = CallApplication.objects.create(
        call=call,
        company=p.company_a_obj,
        submitted_by=p.company_a,
        submitted_at=timezone.now(),
        statement="AI",
    )
    world["call_application"] = application
    world["call_document"] = CallDocument.objects.create(
        application=application,
        requirement="사업계획서",
        file=pdf(),
        name="plan.pdf",
        kind="pdf",
        size=len(PDF),
    )


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
