"""The outbox: the programme office sees every e-mail delivery (filtered by status and kind, with counts and the
last error) and sends failed ones again now."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.activity.tasks import deliveries_enqueue
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, NotFound
from nic1000.core.models import NotificationDelivery
from nic1000.core.roles import OFFICE

Status = NotificationDelivery.Status


def outbox_deliveries(*, status: str = "", kind: str = "") -> QuerySet[NotificationDelivery]:
    """Deliveries, newest first, with their notification and recipient (one query per page)."""
    qs = NotificationDelivery.objects.select_related("notification__recipient").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(notification__kind=kind)
    return qs


def outbox_counts(*, kind: str = "") -> dict[str, int]:
    """How many deliveries are in each status (every status present, zero included)."""
    qs = NotificationDelivery.objects.all()
    if kind:
        qs = qs.filter(notification__kind=kind)
    found = {row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("id"))}
    return {s.value: int(found.get(s.value, 0)) for s in Status}


def deliveries_retry(*, acting_user: Any, delivery_id: int | None = None) -> int:
    """Send failed deliveries again now: one (`delivery_id`) or every failed one. Audited; how many."""
    require_role(acting_user, OFFICE)
    with transaction.atomic():
        failed = NotificationDelivery.objects.filter(status=Status.FAILED)
        if delivery_id is not None:
            one = NotificationDelivery.objects.filter(pk=delivery_id).first()
            if one is None:
                raise NotFound(_("No such e-mail."), code="delivery_not_found")
            if one.status != Status.FAILED:
                raise Conflict(_("Only a failed e-mail can be sent again."), code="delivery_not_failed")
            failed = failed.filter(pk=delivery_id)
        ids = list(failed.values_list("pk", flat=True))
        if not ids:
            return 0
        now = timezone.now()
        for start in range(0, len(ids), 500):
            NotificationDelivery.objects.filter(pk__in=ids[start : start + 500], status=Status.FAILED).update(
                status=Status.QUEUED, next_attempt_at=now
            )
        if delivery_id is not None:
            audit_record(
                actor=acting_user,
                action="notification_delivery.retry",
                obj=one,
                changes={"status": {"before": Status.FAILED, "after": Status.QUEUED}},
            )
        else:
            audit_record(
                actor=acting_user,
                action="notification_delivery.retry_all",
                object_type=NotificationDelivery._meta.label_lower,
                changes={"count": len(ids), "status": {"before": Status.FAILED, "after": Status.QUEUED}},
            )
        deliveries_enqueue(ids)
    return len(ids)
