"""Workflow transitions and notifications: the shared writes every domain app uses. They write the shared
tables in `core.models` (state history, notifications and their e-mail deliveries) and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.activity.delivery import deliveries_create, recipient_channels
from nic1000.activity.kinds import kind as declared_kind
from nic1000.activity.tasks import deliveries_enqueue
from nic1000.audit.services import audit_record
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import Notification, StateChange
from nic1000.core.roles import Actor
from nic1000.core.workflow import Transition, Workflow


def workflow_transition(
    *,
    obj: models.Model,
    workflow: Workflow,
    transition: str,
    acting_user: Actor | None,
    reason: str = "",
    state_field: str = "state",
    extra_changes: Mapping[str, Any] | None = None,
    check_roles: bool = True,
) -> models.Model:
    """Fire `transition` on `obj`: lock the row, check source state, role, reason and guards, then move it,
    log the state change and write the audit row. Callers wrap it in their own transaction when they do more.
    `acting_user` is a user, a system acting for an organisation (an institution's API token), or None for
    the system itself (then `check_roles=False`)."""
    extra = dict(extra_changes or {})
    with transaction.atomic():
        model = type(obj)
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        t = workflow.transition(transition)
        state = getattr(locked, state_field)
        _check_transition(
            workflow, t, locked, state=state, acting_user=acting_user, reason=reason, check_roles=check_roles
        )
        setattr(locked, state_field, t.target)
        for key, value in extra.items():
            setattr(locked, key, value)
        locked.save(update_fields=[state_field, *extra])
        StateChange.objects.create(
            workflow=workflow.name,
            object_type=model._meta.label_lower,
            object_id=str(locked.pk),
            transition=t.name,
            from_state=state,
            to_state=t.target,
            at=timezone.now(),
            actor_id=acting_user.pk if isinstance(acting_user, get_user_model()) else None,
            reason=reason,
        )
        changes: dict[str, Any] = {state_field: {"before": state, "after": t.target}}
        for key, value in extra.items():
            changes[key] = {"before": getattr(obj, key, None), "after": value}
        audit_record(
            actor=acting_user, action=f"{workflow.name}.{t.name}", obj=locked, changes=changes, reason=reason
        )
        setattr(obj, state_field, t.target)
        for key, value in extra.items():
            setattr(obj, key, value)
        return locked


def _check_transition(
    workflow: Workflow,
    t: Transition,
    locked: models.Model,
    *,
    state: str,
    acting_user: Actor | None,
    reason: str,
    check_roles: bool,
) -> None:
    """The source state, the role, a reason when one is needed, and the transition's guards."""
    if state not in t.sources:
        raise Conflict(
            _("Cannot “%(action)s” from the state “%(state)s”.")
            % {"action": t.label, "state": workflow.states.get(state, state)},
            code="invalid_state",
        )
    if check_roles and (acting_user is None or acting_user.role not in t.roles):
        raise Forbidden(_("Your role may not “%(action)s”.") % {"action": t.label}, code="forbidden_role")
    if t.requires_reason and not reason.strip():
        raise ValidationFailed(
            _("“%(action)s” needs a reason.") % {"action": t.label}, code="reason_required"
        )
    blockers = workflow.blockers(t, locked)
    if blockers:
        raise Conflict(
            _("Cannot “%(action)s”: %(blockers)s")
            % {"action": t.label, "blockers": "; ".join(str(b) for b in blockers)},
            code="transition_blocked",
        )


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    title: str,
    body: str = "",
    params: dict[str, str | int] | None = None,
    link: str = "",
    dedupe_key: str = "",
) -> int:
    """Tell each recipient, in the app and by e-mail, as their preferences for `kind` say (a mandatory kind
    whatever they say); with a dedupe_key a recipient is told once however often it is sent. How many were told.

    `title` and `body` are English msgids marked with gettext_noop and `params` their %(name)s values: each
    reader sees them in their own language (`Notification.title_text`), whoever or whatever sent them; an
    e-mail is worded in the recipient's language. `kind` must be declared in `activity.kinds`.
    E-mails are sent in the background once the caller's transaction commits (`activity.tasks`), in batches."""
    declared = declared_kind(kind)
    user_ids = list(dict.fromkeys(r.pk for r in recipients))
    if not user_ids:
        return 0
    channels = recipient_channels(user_ids=user_ids, kind=declared)
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=pk,
            created_at=now,
            kind=kind,
            title=title[:200],
            body=body,
            params=params or {},
            link=link,
            dedupe_key=dedupe_key,
            in_app=c.in_app,
        )
        for pk, c in channels.items()
        if c.in_app or c.email
    ]
    if not rows:
        return 0
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=bool(dedupe_key))
        if dedupe_key or any(n.pk is None for n in created):
            # Only the rows written now (a recipient told before under this key keeps the older one).
            created = list(
                Notification.objects.filter(
                    recipient_id__in=[r.recipient_id for r in rows],
                    kind=kind,
                    dedupe_key=dedupe_key,
                    created_at=now,
                ).only("pk", "recipient_id")
            )
        deliveries_enqueue(deliveries_create(notifications=created, channels=channels, now=now))
    return len(created)
