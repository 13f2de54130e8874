from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from nic1000.audit.models import AuditEntry
from nic1000.core.sorting import DESC, SortSpec

AUDIT_SORT = SortSpec(
    columns={
        "seq": ("seq",),
        "at": ("at",),
        "actor": ("actor_label",),
        "action": ("action",),
        "object": ("object_type", "object_id"),
    },
    default="seq",
    default_dir=DESC,
)


def audit_entry_list(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all().order_by("-seq")
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def audit_filter_choices() -> dict[str, list[str]]:
    return {
        "object_types": list(
            AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()[:200]
        ),
    }
