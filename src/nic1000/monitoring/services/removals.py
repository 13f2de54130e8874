"""Removal of a company from the programme at the half-yearly re-evaluation."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, created
from nic1000.core.access import require_role
from nic1000.core.roles import OFFICE
from nic1000.core.text import text_check
from nic1000.designations.models import Membership
from nic1000.designations.services import designation_remove
from nic1000.monitoring.models import Removal
from nic1000.monitoring.services import notices


@transaction.atomic
def membership_remove(*, membership: Membership, reason: str, note: str, acting_user: User) -> Membership:
    """Remove a company from the programme (programme office only): the designation ends with the reason and
    the note (`designation_remove` keeps them), and a `Removal` row counts a vacancy for the next round
    (`selectors.vacancies_for_next_round`). Open support cases stay open for the group to close."""
    text_check(reason=reason, note=note)
    require_role(acting_user, OFFICE, message=_("Only the programme office removes companies."))
    locked = designation_remove(
        membership=membership, reason=reason, note=note, on=timezone.localdate(), acting_user=acting_user
    )
    removal = Removal.objects.create(membership=locked, removed_at=timezone.now(), removed_by=acting_user)
    audit_record(
        actor=acting_user,
        action="removal.create",
        obj=removal,
        changes=created({"membership_id": locked.pk, "reason": reason, "body_id": locked.body_id}),
    )
    _tell_removed(locked, acting_user=acting_user)
    return locked


def _tell_removed(membership: Membership, *, acting_user: User) -> None:
    """The company's representatives and the nominating body's officers learn of the removal, its reason
    and the day it took effect."""
    params: dict[str, str | int] = {
        "company": membership.company.name_ko,
        "on": str(membership.ended_on),
    }
    notify(
        recipients=notices.company_reps(membership.company_id),
        kind="designation.removed",
        title=gettext_noop("Your company's designation ended on %(on)s"),
        body=gettext_noop(
            "The programme office removed %(company)s from the National Innovation Company programme at the"
            " re-evaluation. Programme support, including policy-finance eligibility, ends from that day. You"
            " may appeal the decision."
        ),
        params=params,
        dedupe_key=f"designation-removed:{membership.pk}",
    )
    notify(
        recipients=notices.without(notices.body_officers(membership.body_id), acting_user),
        kind="designation.removed",
        title=gettext_noop("%(company)s was removed from the programme on %(on)s"),
        body=gettext_noop("Its place counts as a vacancy for the next round."),
        params=params,
        link=reverse("monitoring:company_detail", args=[membership.company_id]),
        dedupe_key=f"designation-removed:{membership.pk}",
    )
