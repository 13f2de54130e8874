"""Shared write services: the one workflow transition runner and in-app notifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.db.utils import IntegrityError
from django.utils import timezone

from nic1000.audit.services import audit_record
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import Notification, StateChange
from nic1000.core.workflow import Workflow


def workflow_transition(
    *,
    obj: models.Model,
    workflow: Workflow,
    transition: str,
    acting_user: Any,
    reason: str = "",
    state_field: str = "state",
    extra_changes: Mapping[str, Any] | None = None,
    check_roles: bool = True,
) -> models.Model:
    """Fire `transition` on `obj`: lock the row, check source state, role, reason and guards, then move it,
    log the state change and write the audit row. Callers wrap it in their own transaction when they do more."""
    with transaction.atomic():
        model = type(obj)
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        t = workflow.transition(transition)
        state = getattr(locked, state_field)
        if state not in t.sources:
            raise Conflict(
                f"{workflow.name}: cannot '{t.label}' from state '{workflow.states.get(state, state)}'",
                code="invalid_state",
            )
        if check_roles and getattr(acting_user, "role", None) not in t.roles:
            raise Forbidden(f"{workflow.name}: your role may not '{t.label}'")
        if t.requires_reason and not reason.strip():
            raise ValidationFailed(f"'{t.label}' needs a reason", code="reason_required")
        blockers = workflow.blockers(t, locked)
        if blockers:
            raise Conflict(
                f"{workflow.name}: cannot '{t.label}': " + "; ".join(blockers), code="transition_blocked"
            )
        setattr(locked, state_field, t.target)
        update_fields = [state_field]
        for key, value in (extra_changes or {}).items():
            setattr(locked, key, value)
            update_fields.append(key)
        locked.save(update_fields=update_fields)
        now = timezone.now()
        StateChange.objects.create(
            workflow=workflow.name,
            object_type=model._meta.label_lower,
            object_id=str(locked.pk),
            transition=t.name,
            from_state=state,
            to_state=t.target,
            at=now,
            actor=acting_user if getattr(acting_user, "pk", None) else None,
            reason=reason,
        )
        changes: dict[str, Any] = {state_field: {"before": state, "after": t.target}}
        for key, value in (extra_changes or {}).items():
            changes[key] = {"before": getattr(obj, key, None), "after": value}
        audit_record(
            actor=acting_user, action=f"{workflow.name}.{t.name}", obj=locked, changes=changes, reason=reason
        )
        setattr(obj, state_field, t.target)
        for key, value in (extra_changes or {}).items():
            setattr(obj, key, value)
        return locked


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> int:
    """Create in-app notifications; with a dedupe_key a recipient gets it once however often it is sent."""
    now = timezone.now()
    rows = [
        Notification(
            recipient=r,
            created_at=now,
            kind=kind,
            title=title[:200],
            body=body,
            link=link,
            dedupe_key=dedupe_key,
        )
        for r in recipients
    ]
    if not rows:
        return 0
    if dedupe_key:
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows, ignore_conflicts=True)
        except IntegrityError:  # pragma: no cover - ignore_conflicts handles it on both databases
            pass
    else:
        Notification.objects.bulk_create(rows)
    return len(rows)
