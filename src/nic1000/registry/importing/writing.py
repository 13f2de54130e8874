"""Writing a planned import: new rows through `core.bulk` (multi-row INSERT, COPY on PostgreSQL), changed rows
with `bulk_update`, and the audit trail in one batch: an entry per created or changed row (with the changed
fields) and one summary entry for the import (file name, SHA-256, counts). Unchanged rows are not audited.
Runs inside the import's transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from nic1000.audit.services import AuditItem, audit_record_many, created
from nic1000.core.bulk import insert_returning_ids
from nic1000.registry.importing.planning import Plan
from nic1000.registry.importing.report import ImportReport

if TYPE_CHECKING:
    from nic1000.accounts.models import User


def plan_apply(*, plan: Plan, actor: User | str | None, report: ImportReport) -> None:
    """Write `plan`; `actor` is the acting user, or a label for the system ("cli"), or None."""
    reason = f"import {report.filename}"[:300]
    now = timezone.now()
    items = _create(plan, now, reason) + _update(plan, now, reason)
    items.append(_summary(report, reason))
    audit_record_many(actor=actor, items=items)


def _create(plan: Plan, now: dt.datetime, reason: str) -> list[AuditItem]:
    if not plan.creates:
        return []
    object_type = plan.model._meta.label_lower
    ids = insert_returning_ids(plan.model, plan.creates, now)
    return [
        AuditItem(
            action=f"{plan.entity}.create",
            object_type=object_type,
            object_id=str(pk),
            object_repr=str(rec.get(plan.repr_field) or ""),
            changes=created(rec),
            reason=reason,
        )
        for pk, rec in zip(ids, plan.creates, strict=True)
    ]


def _update(plan: Plan, now: dt.datetime, reason: str) -> list[AuditItem]:
    if not plan.updates:
        return []
    model = plan.model
    object_type = model._meta.label_lower
    changed_fields = sorted({f for update in plan.updates for f in update.changes})
    objs = []
    items = []
    for update in plan.updates:
        objs.append(
            model(id=update.pk, **{f: update.values[f] for f in changed_fields if f in update.values})
        )
        items.append(
            AuditItem(action=f"{plan.entity}.update", object_type=object_type, object_id=str(update.pk),
                      object_repr=update.repr, changes=dict(update.changes), reason=reason)
        )  # fmt: skip
    # Every row of a file has the same columns, so a field changed in one row is set in all of them.
    update_fields = [f for f in changed_fields if all(f in u.values for u in plan.updates)]
    if plan.touch_updated_at:
        for obj in objs:
            obj.updated_at = now  # type: ignore[attr-defined]
        update_fields.append("updated_at")
    model._default_manager.bulk_update(objs, update_fields, batch_size=500)
    return items


def _summary(report: ImportReport, reason: str) -> AuditItem:
    return AuditItem(
        action="registry.import",
        object_type="registry.import",
        object_id=report.kind,
        object_repr=report.filename,
        changes={
            "kind": report.kind,
            "filename": report.filename,
            "sha256": report.sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
        reason=reason,
    )
