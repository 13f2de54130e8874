"""Removal of a company from the programme at the half-yearly re-evaluation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created
from nic1000.core.access import require_role
from nic1000.core.roles import OFFICE
from nic1000.core.text import text_check
from nic1000.designations.models import Membership
from nic1000.designations.services import designation_remove
from nic1000.monitoring.models import Removal


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
    return locked
