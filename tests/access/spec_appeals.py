"""Role matrix: appeals. company_a (the company persona) has an open appeal against its non-selection (decided
by the programme office, with a document) and one against KDB's refusal (decided by KDB, whose officer is the
institution persona), and an ineligible candidacy it has not appealed yet."""

from __future__ import annotations

from tests.access.spec import Case, World

OFFICE_KINDS = {"program_office", "auditor", "company"}
REFUSAL_READERS = OFFICE_KINDS | {"institution_officer"}


def build(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from nic1000.appeals.services import appeal_file
    from tests.finance.factories import ensure_products, make_application, published_round
    from tests.rounds.factories import make_candidacy

    p = world["personas"]
    ensure_products()
    lost = make_candidacy(published_round(3), company=p.company_a_obj, selected=False, by=p.ministry_mss)
    world["appeal_ineligible"] = make_candidacy(
        published_round(4), company=p.company_a_obj, eligible=False, by=p.ministry_mss
    )
    refusal = make_application(p.company_a_obj, state="declined", decided_at=timezone.now())
    pdf = SimpleUploadedFile("evidence.pdf", b"%PDF-1.7\n%%EOF\n")
    world["appeal_office"] = appeal_file(
        kind="non_selection", target_id=lost.pk, reasons="r", documents=[pdf], acting_user=p.company_a
    )
    world["appeal_refusal"] = appeal_file(
        kind="refusal", target_id=refusal.pk, reasons="r", acting_user=p.company_a
    )
    world["appeal_doc"] = world["appeal_office"].documents.get()


def _pk(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": w[key].pk}


_FILE = lambda w: {"kind": "ineligibility", "pk": w["appeal_ineligible"].pk}  # noqa: E731

CASES = [
    Case("appeals:queue", {"program_office", "auditor", "institution_officer"}),
    Case("appeals:mine", {"company"}),
    Case("appeals:file", {"company"}, kwargs=_FILE),
    Case(
        "appeals:file",
        {"company"},
        kwargs=_FILE,
        method="POST",
        data={"reasons": "We were eligible."},
        ok=frozenset({302}),
        label="file",
    ),
    Case("appeals:file", set(), kwargs={"kind": "removal", "pk": 999999}, label="not theirs"),
    Case("appeals:detail", OFFICE_KINDS, kwargs=_pk("appeal_office")),
    Case("appeals:detail", REFUSAL_READERS, kwargs=_pk("appeal_refusal"), label="refusal"),
    Case("appeals:decide", {"program_office"}, kwargs=_pk("appeal_office")),
    Case(
        "appeals:decide",
        {"program_office", "institution_officer"},
        kwargs=_pk("appeal_refusal"),
        label="refusal (the office reads it)",
    ),
    Case(
        "appeals:decide",
        {"program_office"},
        kwargs=_pk("appeal_office"),
        method="POST",
        data={"action": "start_review"},
        ok=frozenset({302}),
        label="start review",
    ),
    Case(
        "appeals:decide",
        {"institution_officer"},
        kwargs=_pk("appeal_refusal"),
        method="POST",
        data={"decision": "dismiss", "reason": "no"},
        label="refusal: only KDB decides (asks to confirm)",
    ),
    Case(
        "appeals:withdraw",
        {"company"},
        kwargs=_pk("appeal_office"),
        method="POST",
        data={"confirmed": "1"},
        ok=frozenset({302}),
    ),
    Case(
        "appeals:document_add",
        {"company"},
        kwargs=_pk("appeal_office"),
        method="POST",
        data={},
        ok=frozenset({422}),
        label="no file",
    ),
    Case("appeals:document", OFFICE_KINDS, kwargs=_pk("appeal_doc")),
    Case("appeals:windows", {"program_office"}),
    Case(
        "appeals:windows",
        {"program_office"},
        method="POST",
        data={"non_selection": 30, "ineligibility": 30, "removal": 45, "refusal": 30},
        ok=frozenset({302}),
        label="save",
    ),
]
