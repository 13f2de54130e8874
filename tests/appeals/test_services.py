"""Appeal services: filing within the window, the deciding body, each bad input (clear error, nothing changed),
and what an upheld appeal reopens."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from nic1000.appeals import services
from nic1000.appeals.decisions import appealable_decisions
from nic1000.appeals.models import Appeal, AppealDocument, AppealWindow
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic1000.monitoring.selectors import vacancies_for_next_round
from nic1000.rounds.models import Assignment, EvaluatorRelationship, Round
from tests.appeals.factories import Decisions, decisions_for
from tests.rounds.factories import make_evaluator
from tests.told import assert_not_told, assert_told

KINDS = ("non_selection", "ineligibility", "removal", "refusal")
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def pdf(name: str = "evidence.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.fixture
def world(personas: Any) -> Decisions:
    return decisions_for(personas)


def file(personas: Any, world: Decisions, kind: str, **kw: Any) -> Appeal:
    return services.appeal_file(
        kind=kind,
        target_id=world.target(kind),
        reasons=kw.pop("reasons", "The decision overlooked our export contracts."),
        acting_user=kw.pop("acting_user", personas.company_a),
        **kw,
    )


def under_review(personas: Any, world: Decisions, kind: str) -> Appeal:
    appeal = file(personas, world, kind)
    decider = personas.institution_kdb if kind == "refusal" else personas.program_office
    services.appeal_start_review(appeal=appeal, acting_user=decider)
    return appeal


# ---------------------------------------------------------------- filing


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_filing_each_kind_tells_the_deciding_body(personas: Any, world: Decisions, kind: str) -> None:
    appeal = file(personas, world, kind, documents=[pdf()])
    assert appeal.state == "filed" and appeal.company_id == personas.company_a_obj.pk
    assert appeal.deadline - appeal.decision_at == dt.timedelta(days=30)
    assert appeal.documents.count() == 1
    assert AuditEntry.objects.filter(action="appeal.file", object_id=str(appeal.pk)).exists()
    if kind == "refusal":
        assert appeal.institution.code == "KDB"
        assert_told(personas.institution_kdb, "appeal.filed", appeal=str(appeal))
        assert_not_told(personas.program_office, "appeal.filed")
        assert_not_told(personas.institution_ibk, "appeal.filed")
    else:
        assert appeal.institution_id is None
        assert_told(personas.program_office, "appeal.filed", appeal=str(appeal))
        assert_not_told(personas.institution_kdb, "appeal.filed")


@pytest.mark.django_db
def test_the_company_sees_its_appealable_decisions(personas: Any, world: Decisions) -> None:
    found = {(d.kind, d.target_id) for d in appealable_decisions(company_id=personas.company_a_obj.pk)}
    assert found == {(k, world.target(k)) for k in KINDS}
    assert appealable_decisions(company_id=personas.company_b_obj.pk) == []


@pytest.mark.django_db
def test_an_appeal_after_its_window_is_refused(personas: Any) -> None:
    world = decisions_for(personas, days_ago=31)
    for kind in KINDS:
        with pytest.raises(Conflict) as exc:
            file(personas, world, kind)
        assert exc.value.code == "appeal_window_closed"
    assert not Appeal.objects.exists()
    # The programme office widens the window: the same appeal is now on time.
    services.appeal_window_set(kind="removal", days=60, acting_user=personas.program_office)
    assert file(personas, world, "removal").deadline - world.removal.removal.removed_at == dt.timedelta(
        days=60
    )


@pytest.mark.django_db
def test_someone_elses_decision_is_not_found(personas: Any, world: Decisions) -> None:
    for kind in KINDS:
        with pytest.raises(NotFound):
            file(personas, world, kind, acting_user=personas.company_b)
    with pytest.raises(Forbidden):
        file(personas, world, "removal", acting_user=personas.program_office)
    # a decision of another kind about the same object is no decision either (a lost candidacy is eligible)
    with pytest.raises(NotFound):
        services.appeal_file(
            kind="ineligibility",
            target_id=world.non_selection.pk,
            reasons="x",
            acting_user=personas.company_a,
        )
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_a_second_open_appeal_on_the_same_decision_is_refused(personas: Any, world: Decisions) -> None:
    first = file(personas, world, "non_selection")
    with pytest.raises(Conflict) as exc:
        file(personas, world, "non_selection")
    assert exc.value.code == "appeal_open"
    assert Appeal.objects.count() == 1
    services.appeal_withdraw(appeal=first, acting_user=personas.company_a)
    assert file(personas, world, "non_selection").pk != first.pk  # withdrawn: a new one may be filed


@pytest.mark.django_db
def test_reasons_are_required_and_bounded(personas: Any, world: Decisions) -> None:
    with pytest.raises(ValidationFailed) as exc:
        file(personas, world, "removal", reasons="  ")
    assert exc.value.code == "reasons_required"
    with override_settings(TEXT_MAX_CHARS=20), pytest.raises(ValidationFailed) as exc:
        file(personas, world, "removal", reasons="x" * 21)
    assert exc.value.code == "text_too_long"
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_documents_are_checked_by_their_content(personas: Any, world: Decisions, appeal_files: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        file(personas, world, "removal", documents=[pdf("fake.pdf", b"MZ\x90\x00 an executable")])
    assert exc.value.code == "document_type" and exc.value.details[0].field == "document"
    assert not Appeal.objects.exists() and not AppealDocument.objects.exists()
    with pytest.raises(ValidationFailed) as exc:
        file(personas, world, "removal", documents=[pdf("big.pdf", PDF + b"0" * (10 * 1024 * 1024))])
    assert exc.value.code == "document_too_large"
    assert not Appeal.objects.exists()
    png = SimpleUploadedFile("chart.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    jpeg = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    book = SimpleUploadedFile("figures.xlsx", xlsx())
    appeal = file(personas, world, "removal", documents=[pdf(), png, jpeg, book])
    types = sorted(appeal.documents.values_list("content_type", flat=True))
    assert types == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/jpeg",
        "image/png",
    ]
    doc = appeal.documents.get(content_type="application/pdf")
    assert doc.file.path.startswith(str(appeal_files)) and doc.file.read() == PDF
    with pytest.raises(ValueError):
        doc.file.url  # noqa: B018 - never served by URL


@pytest.mark.django_db
def test_documents_are_added_while_the_appeal_is_open(personas: Any, world: Decisions) -> None:
    appeal = file(personas, world, "refusal")
    services.appeal_document_add(appeal=appeal, document=pdf(), acting_user=personas.company_a)
    with pytest.raises(NotFound):
        services.appeal_document_add(appeal=appeal, document=pdf(), acting_user=personas.company_b)
    services.appeal_withdraw(appeal=appeal, acting_user=personas.company_a)
    with pytest.raises(Conflict):
        services.appeal_document_add(appeal=appeal, document=pdf(), acting_user=personas.company_a)
    assert appeal.documents.count() == 1


# ---------------------------------------------------------------- deciding


@pytest.mark.django_db
def test_a_body_that_did_not_decide_cannot_decide_the_appeal(personas: Any, world: Decisions) -> None:
    office_kind = under_review(personas, world, "removal")
    refusal = under_review(personas, world, "refusal")
    wrong = [
        (office_kind, personas.institution_kdb),
        (refusal, personas.program_office),
        (refusal, personas.institution_ibk),
        (refusal, personas.company_a),
        (office_kind, personas.auditor),
    ]
    for appeal, user in wrong:
        with pytest.raises(Forbidden) as exc:
            services.appeal_decide(appeal=appeal, decision="uphold", reason="ok", acting_user=user)
        assert exc.value.code in ("not_the_deciding_body", "forbidden_role")
    with pytest.raises(Forbidden):
        services.appeal_start_review(
            appeal=file(personas, world, "ineligibility"), acting_user=personas.institution_kdb
        )
    assert set(Appeal.objects.values_list("state", flat=True)) == {"under_review", "filed"}
    world.removal.refresh_from_db()
    world.refusal.refresh_from_db()
    assert world.removal.status == "removed" and world.refusal.state == "declined"
    assert_not_told(personas.company_a, "appeal.decided")


@pytest.mark.django_db
def test_only_an_appeal_under_review_is_decided_with_reasons(personas: Any, world: Decisions) -> None:
    appeal = file(personas, world, "removal")
    with pytest.raises(Conflict) as exc:
        services.appeal_decide(
            appeal=appeal, decision="dismiss", reason="no", acting_user=personas.program_office
        )
    assert exc.value.code == "invalid_state"
    services.appeal_start_review(appeal=appeal, acting_user=personas.program_office)
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_decide(
            appeal=appeal, decision="uphold", reason=" ", acting_user=personas.program_office
        )
    assert exc.value.code == "reason_required"
    with pytest.raises(ValidationFailed):
        services.appeal_decide(
            appeal=appeal, decision="maybe", reason="x", acting_user=personas.program_office
        )
    appeal.refresh_from_db()
    assert appeal.state == "under_review"
    world.removal.refresh_from_db()
    assert world.removal.status == "removed"


@pytest.mark.django_db
def test_upheld_non_selection_is_rescored_by_a_new_unconflicted_evaluator(
    personas: Any, world: Decisions
) -> None:
    appeal = under_review(personas, world, "non_selection")
    services.appeal_decide(
        appeal=appeal,
        decision="uphold",
        reason="Scores ignored exports.",
        acting_user=personas.program_office,
    )
    appeal.refresh_from_db()
    assert appeal.state == "upheld" and appeal.outcome_reason == "Scores ignored exports."
    assert appeal.decided_by_id == personas.program_office.pk and appeal.decided_at is not None
    new = Assignment.objects.get(pk=appeal.reopened["assignment_id"])
    assert new.candidacy_id == world.non_selection.pk and new.active
    assert new.evaluator_id == world.evaluators[1].pk  # the first evaluated it already
    assert appeal.reopened["effect"] == "rescoring"
    assert_told(world.evaluators[1].user, "round.assigned", company=world.non_selection.company.name_ko)
    assert_told(personas.company_a, "appeal.decided", appeal=str(appeal))
    assert AuditEntry.objects.filter(action="appeal.uphold", object_id=str(appeal.pk)).exists()
    assert AuditEntry.objects.filter(action="assignment.add", object_id=str(new.pk)).exists()
    with pytest.raises(Conflict) as exc:  # the decision is being reopened: no second appeal
        file(personas, world, "non_selection")
    assert exc.value.code == "appeal_upheld"


@pytest.mark.django_db
def test_rescoring_skips_conflicted_evaluators_and_refuses_when_none_is_left(
    personas: Any, world: Decisions
) -> None:
    EvaluatorRelationship.objects.create(
        evaluator=world.evaluators[1], company=world.non_selection.company, kind="advisory"
    )
    appeal = under_review(personas, world, "non_selection")
    with pytest.raises(Conflict) as exc:
        services.appeal_decide(
            appeal=appeal, decision="uphold", reason="ok", acting_user=personas.program_office
        )
    assert exc.value.code == "no_evaluator_available"
    appeal.refresh_from_db()
    assert appeal.state == "under_review"  # nothing changed
    assert Assignment.objects.filter(candidacy=world.non_selection).count() == 1
    third = make_evaluator("appeal_ev3", affiliation="POSTECH")
    services.appeal_decide(appeal=appeal, decision="uphold", reason="ok", acting_user=personas.program_office)
    assert Assignment.objects.get(pk=appeal.reopened["assignment_id"]).evaluator_id == third.pk


@pytest.mark.django_db
def test_upheld_ineligibility_reopens_the_eligibility(personas: Any, world: Decisions) -> None:
    appeal = under_review(personas, world, "ineligibility")
    services.appeal_decide(
        appeal=appeal, decision="uphold", reason="Statement was wrong.", acting_user=personas.program_office
    )
    world.ineligibility.refresh_from_db()
    assert world.ineligibility.eligible is True
    assert "Statement was wrong." in world.ineligibility.eligibility_override_reason
    assert AuditEntry.objects.filter(action="candidacy.eligibility_reopen").exists()


@pytest.mark.django_db
def test_upheld_removal_reinstates_the_designation(personas: Any, world: Decisions) -> None:
    Round.objects.update(published_at=timezone.now() - dt.timedelta(days=10))  # the removal came after
    assert vacancies_for_next_round() == 1
    appeal = under_review(personas, world, "removal")
    services.appeal_decide(
        appeal=appeal, decision="uphold", reason="Sales recovered.", acting_user=personas.program_office
    )
    world.removal.refresh_from_db()
    assert (
        world.removal.status == "active"
        and world.removal.ended_on is None
        and world.removal.removal_reason == ""
    )
    assert vacancies_for_next_round() == 0  # the removal counted one; the reinstatement gives it back
    entry = AuditEntry.objects.get(action="membership.reinstate")
    assert entry.changes["status"] == {"before": "removed", "after": "active"}


@pytest.mark.django_db
def test_upheld_refusal_goes_back_to_review_at_the_institution(personas: Any, world: Decisions) -> None:
    appeal = under_review(personas, world, "refusal")
    services.appeal_decide(
        appeal=appeal, decision="uphold", reason="Collateral found.", acting_user=personas.institution_kdb
    )
    world.refusal.refresh_from_db()
    assert world.refusal.state == "under_review" and world.refusal.decided_at is None
    assert AuditEntry.objects.filter(action="finance_application.reopen").exists()
    assert_told(personas.company_a, "appeal.decided")


@pytest.mark.django_db
def test_a_dismissed_appeal_leaves_the_decision(personas: Any, world: Decisions) -> None:
    appeal = under_review(personas, world, "refusal")
    services.appeal_decide(
        appeal=appeal, decision="dismiss", reason="Policy limits.", acting_user=personas.institution_kdb
    )
    appeal.refresh_from_db()
    world.refusal.refresh_from_db()
    assert appeal.state == "dismissed" and appeal.reopened == {}
    assert world.refusal.state == "declined"
    note = assert_told(personas.company_a, "appeal.decided", reason="Policy limits.")
    assert note.title == "Your appeal %(appeal)s was dismissed"


@pytest.mark.django_db
def test_withdrawal_is_the_companys_own(personas: Any, world: Decisions) -> None:
    appeal = file(personas, world, "removal")
    with pytest.raises(NotFound):
        services.appeal_withdraw(appeal=appeal, acting_user=personas.company_b)
    with pytest.raises(Forbidden):
        services.appeal_withdraw(appeal=appeal, acting_user=personas.program_office)
    services.appeal_withdraw(appeal=appeal, acting_user=personas.company_a, reason="settled")
    appeal.refresh_from_db()
    assert appeal.state == "withdrawn"
    with pytest.raises(Conflict):
        services.appeal_withdraw(appeal=appeal, acting_user=personas.company_a)


# ---------------------------------------------------------------- windows


@pytest.mark.django_db
def test_windows_are_set_by_the_programme_office_audited(personas: Any) -> None:
    with pytest.raises(Forbidden):
        services.appeal_window_set(kind="refusal", days=45, acting_user=personas.institution_kdb)
    for bad in (0, 366):
        with pytest.raises(ValidationFailed):
            services.appeal_window_set(kind="refusal", days=bad, acting_user=personas.program_office)
    with pytest.raises(ValidationFailed):
        services.appeal_window_set(kind="other", days=10, acting_user=personas.program_office)
    assert not AppealWindow.objects.exists()
    services.appeal_window_set(kind="refusal", days=45, acting_user=personas.program_office)
    services.appeal_window_set(kind="refusal", days=14, acting_user=personas.program_office)
    assert AppealWindow.objects.get(kind="refusal").days == 14
    entries = AuditEntry.objects.filter(action="appeal_window.set").order_by("id")
    assert [e.changes["days"] for e in entries] == [
        {"before": None, "after": 45},
        {"before": 45, "after": 14},
    ]


@pytest.mark.django_db
def test_the_new_evaluator_scores_the_published_candidacy(personas: Any, world: Decisions) -> None:
    from nic1000.rounds.models import Criterion
    from nic1000.rounds.services.reviews import ScoreInput, assignment_open, review_save

    appeal = under_review(personas, world, "non_selection")
    services.appeal_decide(appeal=appeal, decision="uphold", reason="ok", acting_user=personas.program_office)
    new = Assignment.objects.get(pk=appeal.reopened["assignment_id"])
    evaluator = new.evaluator.user
    assignment_open(assignment=new, acting_user=evaluator)
    from django.test import Client

    browser = Client()
    browser.force_login(evaluator)
    page = browser.get(f"/rounds/me/assignments/{new.pk}/")
    assert page.status_code == 200 and page.context["page"].scoring_open
    criteria = Criterion.objects.filter(round=new.round, body__isnull=True)
    scores = {c.pk: ScoreInput(score=4, comment="ok") for c in criteria}
    review = review_save(
        assignment=new, scores=scores, comment="re-scored", submit=True, acting_user=evaluator
    )
    assert review.state == "submitted" and review.total is not None
    # an assignment of the round made before its publication is not scored any more
    old = Assignment.objects.get(candidacy=world.non_selection, evaluator=world.evaluators[0])
    Assignment.objects.filter(pk=old.pk).update(created_at=new.round.published_at - dt.timedelta(days=30))
    old.refresh_from_db()
    with pytest.raises(Conflict):
        review_save(assignment=old, scores=scores, acting_user=world.evaluators[0].user)
