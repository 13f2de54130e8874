"""Writes of appeals: filing (with documents), review, the decision (an upheld appeal reopens the decision it
was about), withdrawal, and the windows per kind of decision. Each in one transaction with its audit rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify, workflow_transition
from nic1000.appeals.decisions import Decision, decision_for, open_appeal_for
from nic1000.appeals.documents import DOCUMENT_MAX_BYTES, DOCUMENTS_PER_APPEAL, EXTENSIONS, document_check
from nic1000.appeals.models import OPEN_STATES, Appeal, AppealDocument, AppealWindow, DecisionKind
from nic1000.appeals.workflows import APPEAL, DECIDERS, DECISIONS
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.designations.services import designation_reinstate
from nic1000.finance.reopening import application_reopen
from nic1000.registry.models import Institution
from nic1000.rounds.services.rescoring import candidacy_eligibility_reopen, candidacy_rescore

_TARGET_FIELD = {
    DecisionKind.NON_SELECTION: "candidacy_id",
    DecisionKind.INELIGIBILITY: "candidacy_id",
    DecisionKind.REMOVAL: "membership_id",
    DecisionKind.REFUSAL: "application_id",
}


def _bad(message: str, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, [ErrorDetail(message=message, field=field, code=code)], code=code)


def _representative(acting_user: User) -> int:
    require_role(acting_user, Role.COMPANY, message=_("Only the company's representative appeals."))
    if acting_user.company_id is None:
        raise Forbidden(_("Your account is not bound to a company."), code="no_company")
    return int(acting_user.company_id)


def _deciders(appeal: Appeal) -> list[User]:
    """Who decides: the officers of the institution that refused, else the programme office."""
    if appeal.institution_id is not None:
        users = User.objects.filter(
            role=Role.INSTITUTION_OFFICER, institution_id=appeal.institution_id, is_active=True
        )
    else:
        users = User.objects.filter(role=Role.PROGRAM_OFFICE, is_active=True)
    return list(users.order_by("id"))


def _representatives(appeal: Appeal) -> list[User]:
    return list(
        User.objects.filter(role=Role.COMPANY, company_id=appeal.company_id, is_active=True).order_by("id")
    )


def deciding_body_check(*, appeal: Appeal, acting_user: User) -> None:
    """Forbidden (code not_the_deciding_body) unless `acting_user` belongs to the body that made the decision:
    an officer of the institution that declined, or the programme office for the rest."""
    require_role(acting_user, DECIDERS, message=_("Only the body that made the decision decides the appeal."))
    if appeal.institution_id is not None:
        if (
            acting_user.role != Role.INSTITUTION_OFFICER
            or acting_user.institution_id != appeal.institution_id
        ):
            institution = Institution.objects.filter(pk=appeal.institution_id).first()
            raise Forbidden(
                _("Only %(institution)s, which declined the application, decides this appeal.")
                % {"institution": institution.name_ko if institution else "—"},
                code="not_the_deciding_body",
            )
    elif acting_user.role != Role.PROGRAM_OFFICE:
        raise Forbidden(
            _("Only the programme office, which made the decision, decides this appeal."),
            code="not_the_deciding_body",
        )


def _store(*, appeal: Appeal, upload: UploadedFile, acting_user: User) -> AppealDocument:
    name = (upload.name or "document")[-200:]
    size = int(upload.size or 0)
    data = upload.read(DOCUMENT_MAX_BYTES + 1) if size <= DOCUMENT_MAX_BYTES else b""
    content_type = document_check(name=name, data=data, size=max(size, len(data)))
    doc = AppealDocument(
        appeal=appeal,
        name=name,
        content_type=content_type,
        size=len(data),
        uploaded_at=timezone.now(),
        uploaded_by=acting_user,
    )
    doc.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}", ContentFile(data), save=False)
    doc.save()
    audit_record(
        actor=acting_user,
        action="appeal_document.add",
        obj=doc,
        changes=created(
            {"appeal_id": appeal.pk, "name": name, "content_type": content_type, "size": len(data)}
        ),
    )
    return doc


@transaction.atomic
def appeal_file(
    *,
    kind: str,
    target_id: int,
    reasons: str,
    acting_user: User,
    documents: Sequence[UploadedFile] = (),
) -> Appeal:
    """The company's representative appeals against a decision about their company, within its window, with
    reasons and documents. NotFound for a decision that is not theirs (or not a decision of that kind); Conflict
    after the window or while another appeal on the same decision is open. The deciding body is told."""
    company_id = _representative(acting_user)
    text_check(reasons=reasons)
    decision: Decision | None = decision_for(kind=kind, target_id=target_id, company_id=company_id)
    if decision is None:
        raise NotFound(_("There is no such decision about your company."), code="decision_not_found")
    if not reasons.strip():
        raise _bad(_("Say why the decision should change."), "reasons_required", "reasons")
    if len(documents) > DOCUMENTS_PER_APPEAL:
        raise _bad(
            _("At most %(n)s documents per appeal.") % {"n": DOCUMENTS_PER_APPEAL},
            "too_many_documents",
            "document",
        )
    now = timezone.now()
    if now > decision.deadline:
        raise Conflict(
            _("The window to appeal this decision closed on %(deadline)s.")
            % {"deadline": timezone.localtime(decision.deadline).strftime("%Y-%m-%d %H:%M")},
            code="appeal_window_closed",
        )
    if open_appeal_for(kind=kind, target_id=target_id) is not None:
        raise Conflict(_("An appeal against this decision is already open."), code="appeal_open")
    field = _TARGET_FIELD[DecisionKind(kind)]
    if Appeal.objects.filter(kind=kind, state="upheld", **{field: target_id}).exists():
        raise Conflict(
            _("An appeal against this decision was upheld already; the decision is being reopened."),
            code="appeal_upheld",
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                company_id=company_id,
                kind=kind,
                institution_id=decision.institution_id,
                reasons=reasons.strip(),
                decision_at=decision.decided_at,
                deadline=decision.deadline,
                filed_by=acting_user,
                filed_at=now,
                **{_TARGET_FIELD[DecisionKind(kind)]: target_id},
            )
    except IntegrityError:  # filed twice at the same moment: the constraint keeps one open appeal
        raise Conflict(_("An appeal against this decision is already open."), code="appeal_open") from None
    audit_record(
        actor=acting_user,
        action="appeal.file",
        obj=appeal,
        changes=created(
            {
                "kind": kind,
                _TARGET_FIELD[DecisionKind(kind)]: target_id,
                "state": appeal.state,
                "deadline": appeal.deadline,
                "institution_id": appeal.institution_id,
            }
        ),
    )
    for upload in documents:
        _store(appeal=appeal, upload=upload, acting_user=acting_user)
    notify(
        recipients=_deciders(appeal),
        kind="appeal.filed",
        title=gettext_noop("Appeal %(appeal)s filed by %(company)s"),
        body=gettext_noop("%(company)s appeals against a decision (%(subject)s); review it and decide."),
        params={"appeal": str(appeal), "company": appeal.company.name_ko, "subject": decision.subject},
        link=reverse("appeals:detail", kwargs={"pk": appeal.pk}),
        dedupe_key=f"appeal-filed-{appeal.pk}",
    )
    return appeal


def _locked_own(appeal: Appeal, acting_user: User) -> Appeal:
    company_id = _representative(acting_user)
    locked = Appeal.objects.select_for_update().filter(pk=appeal.pk, company_id=company_id).first()
    if locked is None:
        raise NotFound(_("Appeal not found."), code="appeal_not_found")
    return locked


@transaction.atomic
def appeal_document_add(*, appeal: Appeal, document: UploadedFile, acting_user: User) -> AppealDocument:
    """The company adds a document to its open appeal (at most DOCUMENTS_PER_APPEAL)."""
    locked = _locked_own(appeal, acting_user)
    if locked.state not in OPEN_STATES:
        raise Conflict(_("The appeal is decided; no more documents are taken."), code="appeal_closed")
    if locked.documents.count() >= DOCUMENTS_PER_APPEAL:
        raise _bad(
            _("At most %(n)s documents per appeal.") % {"n": DOCUMENTS_PER_APPEAL},
            "too_many_documents",
            "document",
        )
    return _store(appeal=locked, upload=document, acting_user=acting_user)


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, acting_user: User, reason: str = "") -> Appeal:
    """The company withdraws its appeal while it is filed or under review."""
    text_check(reason=reason)
    locked = _locked_own(appeal, acting_user)
    workflow_transition(
        obj=locked, workflow=APPEAL, transition="withdraw", acting_user=acting_user, reason=reason
    )
    appeal.state = locked.state
    return locked


@transaction.atomic
def appeal_start_review(*, appeal: Appeal, acting_user: User) -> Appeal:
    """The deciding body takes the appeal up."""
    deciding_body_check(appeal=appeal, acting_user=acting_user)
    workflow_transition(obj=appeal, workflow=APPEAL, transition="start_review", acting_user=acting_user)
    return appeal


def _reopen(appeal: Appeal, *, reason: str, acting_user: User) -> dict[str, object]:
    """What an upheld appeal reopens, through the owning app's service; returns what it did (codes and ids)."""
    note = _("Appeal %(appeal)s upheld: %(reason)s") % {"appeal": str(appeal), "reason": reason.strip()}
    if appeal.kind == DecisionKind.NON_SELECTION and appeal.candidacy is not None:
        a = candidacy_rescore(candidacy=appeal.candidacy, reason=note, acting_user=acting_user)
        return {"effect": "rescoring", "assignment_id": a.pk, "evaluator_id": a.evaluator_id}
    if appeal.kind == DecisionKind.INELIGIBILITY and appeal.candidacy is not None:
        candidacy_eligibility_reopen(candidacy=appeal.candidacy, reason=note, acting_user=acting_user)
        return {"effect": "eligible", "candidacy_id": appeal.candidacy_id}
    if appeal.kind == DecisionKind.REMOVAL and appeal.membership is not None:
        designation_reinstate(membership=appeal.membership, note=note, acting_user=acting_user)
        return {"effect": "reinstated", "membership_id": appeal.membership_id}
    if appeal.kind == DecisionKind.REFUSAL and appeal.application is not None:
        application_reopen(application=appeal.application, reason=note, acting_user=acting_user)
        return {"effect": "back_to_review", "application_id": appeal.application_id}
    raise Conflict(
        _("This appeal's decision cannot be reopened."), code="nothing_to_reopen"
    )  # pragma: no cover


@transaction.atomic
def appeal_decide(*, appeal: Appeal, decision: str, reason: str, acting_user: User) -> Appeal:
    """The deciding body upholds or dismisses the appeal under review, with reasons. Upheld, the decision is
    reopened (a candidacy re-scored by a new evaluator or marked eligible, the designation reinstated, the
    application back to review) in the same transaction: if that cannot be done, nothing changes. The company is
    told the outcome and the reasons."""
    if decision not in DECISIONS:
        raise _bad(_("Choose to uphold or to dismiss the appeal."), "decision_required", "decision")
    text_check(reason=reason)
    locked = Appeal.objects.select_for_update().select_related("company").get(pk=appeal.pk)
    deciding_body_check(appeal=locked, acting_user=acting_user)
    transition = APPEAL.transition(decision)
    if locked.state not in transition.sources:
        raise Conflict(
            _("Only an appeal under review is decided (this one is %(state)s).")
            % {"state": APPEAL.states.get(locked.state, locked.state)},
            code="invalid_state",
        )
    if not reason.strip():
        raise _bad(_("Give the reasons for the decision."), "reason_required", "reason")
    reopened = _reopen(locked, reason=reason, acting_user=acting_user) if decision == "uphold" else {}
    workflow_transition(
        obj=locked,
        workflow=APPEAL,
        transition=decision,
        acting_user=acting_user,
        reason=reason.strip(),
        extra_changes={
            "outcome_reason": reason.strip(),
            "decided_by_id": acting_user.pk,
            "decided_at": timezone.now(),
            "reopened": reopened,
        },
    )
    upheld = decision == "uphold"
    notify(
        recipients=_representatives(locked),
        kind="appeal.decided",
        title=gettext_noop("Your appeal %(appeal)s was upheld")
        if upheld
        else gettext_noop("Your appeal %(appeal)s was dismissed"),
        body=gettext_noop("The decision is reopened. Reasons: %(reason)s")
        if upheld
        else gettext_noop("The decision stands. Reasons: %(reason)s"),
        params={"appeal": str(locked), "reason": reason.strip()[:1000]},
        link=reverse("appeals:detail", kwargs={"pk": locked.pk}),
        dedupe_key=f"appeal-decided-{locked.pk}",
    )
    for name in ("state", "outcome_reason", "decided_by_id", "decided_at", "reopened"):
        setattr(appeal, name, getattr(locked, name))
    return locked


@transaction.atomic
def appeal_window_set(*, kind: str, days: int, acting_user: User) -> AppealWindow:
    """The programme office sets how many days a decision of `kind` may be appealed (1 to 365)."""
    require_role(acting_user, OFFICE, message=_("Only the programme office sets the appeal windows."))
    if kind not in DecisionKind.values:
        raise _bad(_("Choose a kind of decision."), "kind_invalid", "kind")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise _bad(_("A window is 1 to 365 days."), "days_invalid", "days")
    window = AppealWindow.objects.select_for_update().filter(kind=kind).first()
    before = snapshot(window, ["days"]) if window else {"days": None}
    if window is None:
        window = AppealWindow(kind=kind, days=days, updated_at=timezone.now(), updated_by=acting_user)
    else:
        window.days, window.updated_at, window.updated_by = days, timezone.now(), acting_user
    window.save()
    audit_record(
        actor=acting_user,
        action="appeal_window.set",
        obj=window,
        changes=diff(before, snapshot(window, ["days"])),
    )
    return window
