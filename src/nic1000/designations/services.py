"""Writes of designations: made by a published selection, ended by a removal or by the end of their period.
Each writes its audit rows; state changes go through `MEMBERSHIP` (`designations.workflows`) and
`activity.services.workflow_transition`, which keeps their history. The re-evaluations are in
`designations.reevaluations`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.activity.services import workflow_transition
from nic1000.audit.services import AuditItem, audit_record_many
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.designations.models import LIVE_STATES, Membership
from nic1000.designations.workflows import MEMBERSHIP


@dataclass(frozen=True)
class DesignationEntry:
    """One company designated by a published round, under the body that leads its candidacy."""

    company_id: int
    company_name: str
    body_id: int
    sector: str


def designations_create(
    *,
    round_id: int,
    entries: Sequence[DesignationEntry],
    selected_on: dt.date,
    acting_user: User | None,
    ends_on: dt.date | None = None,
) -> list[Membership]:
    """Designate the companies a round published (one audit entry each), with benefits until `ends_on` (the
    programme's designation period; `designation_end`). Runs inside the caller's transaction (publication),
    which also writes its own entries."""
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
                    ends_on=ends_on,
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
                        "ends_on": {"before": None, "after": ends_on.isoformat() if ends_on else None},
                    },
                )
                for m, e in zip(memberships, entries, strict=True)
            ],
        )
    return memberships


def designation_end(*, selected_on: dt.date, years: int) -> dt.date:
    """The last day of a designation's benefits: `years` after publication, the day before the anniversary
    (29 February becomes 28 February in a common year)."""
    try:
        anniversary = selected_on.replace(year=selected_on.year + years)
    except ValueError:
        anniversary = selected_on.replace(year=selected_on.year + years, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


def designation_remove(
    *, membership: Membership, reason: str, note: str, on: dt.date, acting_user: User | None
) -> Membership:
    """End a designation by removal with one of the programme's reasons and a note (the caller checks who may:
    monitoring's `membership_remove` is the one removal path). The reason and note are kept here, once; a
    removal record elsewhere points at this row. Finance eligibility ends from `on`."""
    problems = []
    if reason not in Membership.RemovalReason.values:
        problems.append(ErrorDetail(message=_("Choose a reason."), field="reason", value=reason))
    if not note.strip():
        problems.append(ErrorDetail(message=_("Explain the decision."), field="note"))
    if problems:
        raise ValidationFailed(_("The removal needs a reason and a note."), problems, code="removal_invalid")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status not in LIVE_STATES:
            raise Conflict(_("The designation is not active."), code="membership_not_active")
        workflow_transition(
            obj=locked,
            workflow=MEMBERSHIP,
            transition="remove",
            acting_user=acting_user,
            reason=note.strip(),
            state_field="status",
            extra_changes={"ended_on": on, "removal_reason": reason, "removal_note": note.strip()},
            check_roles=False,
        )
    for name in ("status", "ended_on", "removal_reason", "removal_note"):
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
        other = Membership.objects.filter(company_id=locked.company_id, status__in=LIVE_STATES)
        if other.exclude(pk=locked.pk).exists():
            raise Conflict(
                _("The company holds another active designation; this one cannot be reinstated."),
                code="membership_active_elsewhere",
            )
        workflow_transition(
            obj=locked,
            workflow=MEMBERSHIP,
            transition="reinstate",
            acting_user=acting_user,
            reason=note,
            state_field="status",
            extra_changes={"ended_on": None, "removal_reason": "", "removal_note": ""},
            check_roles=False,
        )
    for name in ("status", "ended_on", "removal_reason", "removal_note"):
        setattr(membership, name, getattr(locked, name))
    return locked


def designation_expire(*, membership: Membership) -> Membership:
    """The designation's period is over (the daily job, no user): expired from the day after `ends_on`."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status not in LIVE_STATES or locked.ends_on is None:
            raise Conflict(_("The designation is not active."), code="membership_not_active")
        workflow_transition(
            obj=locked,
            workflow=MEMBERSHIP,
            transition="expire",
            acting_user=None,
            state_field="status",
            extra_changes={"ended_on": locked.ends_on + dt.timedelta(days=1)},
            check_roles=False,
        )
    membership.status, membership.ended_on = locked.status, locked.ended_on
    return locked
