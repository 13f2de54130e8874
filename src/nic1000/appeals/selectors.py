"""Reads of appeals: who sees which (`appeal_list`, `access_appeal`: one 404 for missing and forbidden), the
appeal's history, and the documents' access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from nic1000.appeals.models import OPEN_STATES, Appeal, AppealDocument
from nic1000.appeals.workflows import APPEAL, state_label
from nic1000.core.access import has_role
from nic1000.core.models import StateChange
from nic1000.core.roles import OFFICE_AND_AUDIT, Role

# The programme office and auditors read every appeal; institution officers those against their institution's
# refusals; a company's representatives their company's.
APPEAL_READERS = OFFICE_AND_AUDIT | {Role.INSTITUTION_OFFICER, Role.COMPANY}
QUEUE_READERS = OFFICE_AND_AUDIT | {Role.INSTITUTION_OFFICER}


def appeal_list(*, user: Any, state: str = "") -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related(
        "company",
        "institution",
        "filed_by",
        "candidacy__round",
        "membership__round",
        "application__institution",
    )
    if state:
        qs = qs.filter(state=state)
    if has_role(user, OFFICE_AND_AUDIT):
        return qs
    if has_role(user, {Role.INSTITUTION_OFFICER}) and user.institution_id:
        return qs.filter(institution_id=user.institution_id)
    if has_role(user, {Role.COMPANY}) and user.company_id:
        return qs.filter(company_id=user.company_id)
    return qs.none()


def access_appeal(*, user: Any, pk: int) -> Appeal:
    appeal = appeal_list(user=user).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    return appeal


def access_document(*, user: Any, pk: int) -> AppealDocument:
    """A document, for whoever may see its appeal (else 404)."""
    doc = AppealDocument.objects.filter(pk=pk).select_related("appeal").first()
    if doc is None or not appeal_list(user=user).filter(pk=doc.appeal_id).exists():
        raise Http404
    return doc


def subject(appeal: Appeal) -> str:
    """What the appeal is about, as data: the round's name, or the application and its institution."""
    if appeal.candidacy is not None:
        return appeal.candidacy.round.name
    if appeal.membership is not None:
        return appeal.membership.round.name
    if appeal.application is not None:
        return f"{appeal.application} · {appeal.application.institution.name_ko}"
    return ""


def is_decider(*, appeal: Appeal, user: Any) -> bool:
    """Whether `user` belongs to the body that decides this appeal (pages show the decision forms)."""
    if appeal.institution_id is not None:
        return bool(
            has_role(user, {Role.INSTITUTION_OFFICER}) and user.institution_id == appeal.institution_id
        )
    return has_role(user, {Role.PROGRAM_OFFICE})


def appeals_to_decide(*, user: Any) -> QuerySet[Appeal]:
    """Open appeals this user's body decides (the rule of `is_decider`, as a query): an institution's officers
    its refusals, the programme office every other decision."""
    open_appeals = Appeal.objects.filter(state__in=OPEN_STATES)
    if has_role(user, {Role.INSTITUTION_OFFICER}):
        return open_appeals.filter(institution_id=user.institution_id)
    if has_role(user, {Role.PROGRAM_OFFICE}):
        return open_appeals.filter(institution__isnull=True)
    return open_appeals.none()


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    text: str
    note: str
    by: str


def appeal_history(*, appeal: Appeal) -> list[HistoryRow]:
    """Filing, then every state change, oldest first."""
    rows = [HistoryRow(appeal.filed_at, state_label(APPEAL.initial), appeal.reasons, str(appeal.filed_by))]
    changes = StateChange.objects.filter(
        object_type=Appeal._meta.label_lower, object_id=str(appeal.pk)
    ).select_related("actor")
    for sc in changes.order_by("at", "id"):
        rows.append(HistoryRow(sc.at, state_label(sc.to_state), sc.reason, str(sc.actor or "—")))
    return rows
