"""Writes of designations: made by a published selection, ended by a removal. Each writes its audit rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, diff, snapshot
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.designations.models import Membership


@dataclass(frozen=True)
class DesignationEntry:
    """One company designated by a published round, under the body that leads its candidacy."""

    company_id: int
    company_name: str
    body_id: int
    sector: str


def designations_create(
    *, round_id: int, entries: Sequence[DesignationEntry], selected_on: dt.date, acting_user: User | None
) -> list[Membership]:
    """Designate the companies a round published (one audit entry each). Runs inside the caller's transaction
    (publication), which also writes its own entries."""
    with transaction.atomic():
        memberships = Membership.objects.bulk_create(
            [
                Membership(
                    company_id=e.company_id,
                    round_id=round_id,
                    body_id=e.body_id,
                    sector=e.sector,
                    status=Membership.Status.ACTIVE,
                    selected_on=selected_on,
                )
                for e in entries
            ],
            batch_size=1000,
        )
        audit_record_many(
            actor=acting_user,
            items=[
                AuditItem(
                    action="membership.create",
                    object_type=Membership._meta.label_lower,
                    object_id=str(m.pk or ""),
                    object_repr=e.company_name,
                    changes={
                        "company_id": {"before": None, "after": m.company_id},
                        "round_id": {"before": None, "after": round_id},
                        "status": {"before": None, "after": Membership.Status.ACTIVE.value},
                        "certificate_code": {"before": None, "after": m.certificate_code},
                    },
                )
                for m, e in zip(memberships, entries, strict=True)
            ],
        )
    return memberships


_END_FIELDS = ["status", "ended_on", "removal_reason", "removal_note"]


def designation_remove(
    *, membership: Membership, reason: str, note: str, on: dt.date, acting_user: User | None
) -> Membership:
    """End a designation by removal with one of the programme's reasons and a note (the caller checks who may).
    The reason and note are kept here, once; a removal record elsewhere points at this row."""
    problems = []
    if reason not in Membership.RemovalReason.values:
        problems.append(ErrorDetail(message=_("Choose a reason."), field="reason", value=reason))
    if not note.strip():
        problems.append(ErrorDetail(message=_("Explain the decision."), field="note"))
    if problems:
        raise ValidationFailed(_("The removal needs a reason and a note."), problems, code="removal_invalid")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.ACTIVE:
            raise Conflict(_("The designation is not active."), code="membership_not_active")
        before = snapshot(locked, _END_FIELDS)
        locked.status = Membership.Status.REMOVED
        locked.ended_on = on
        locked.removal_reason = reason
        locked.removal_note = note.strip()
        locked.save(update_fields=_END_FIELDS)
        audit_record(
            actor=acting_user,
            action="membership.remove",
            obj=locked,
            changes=diff(before, snapshot(locked, _END_FIELDS)),
            reason=note,
        )
    for name in _END_FIELDS:
        setattr(membership, name, getattr(locked, name))
    return locked


def designation_reinstate(*, membership: Membership, note: str, acting_user: User | None) -> Membership:
    """Undo a removal (an upheld appeal): the designation is active again, its end date and removal reason
    cleared (the audit row keeps them). The caller checks who may. Conflict when it is not removed, or when the
    company holds another active designation meanwhile."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.REMOVED:
            raise Conflict(_("Only a removed designation can be reinstated."), code="membership_not_removed")
        other = Membership.objects.filter(company_id=locked.company_id, status=Membership.Status.ACTIVE)
        if other.exclude(pk=locked.pk).exists():
            raise Conflict(
                _("The company holds another active designation; this one cannot be reinstated."),
                code="membership_active_elsewhere",
            )
        before = snapshot(locked, _END_FIELDS)
        locked.status = Membership.Status.ACTIVE
        locked.ended_on = None
        locked.removal_reason = ""
        locked.removal_note = ""
        locked.save(update_fields=_END_FIELDS)
        audit_record(
            actor=acting_user,
            action="membership.reinstate",
            obj=locked,
            changes=diff(before, snapshot(locked, _END_FIELDS)),
            reason=note,
        )
    for name in _END_FIELDS:
        setattr(membership, name, getattr(locked, name))
    return locked
