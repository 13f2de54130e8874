"""The programme office administers users without the Django admin: deactivate, reactivate, change a role or
its binding. Each change is audited and the user is told. The office can neither lock itself out nor remove
the last active programme office user."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.accounts.services import _AUDITED
from nic1000.accounts.services.invitations import binding_for_role
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict
from nic1000.core.roles import OFFICE, Role


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _keeps_an_office(user: User) -> None:
    """Refuse a change that would leave no active programme office user."""
    others = (
        User.objects.select_for_update().filter(role=Role.PROGRAM_OFFICE, is_active=True).exclude(pk=user.pk)
    )
    if user.role == Role.PROGRAM_OFFICE and user.is_active and not others.exists():
        raise Conflict(
            _("%(user)s is the last active programme office user: invite another one first.")
            % {"user": user.username},
            code="last_office_user",
        )


def _not_self(user: User, acting_user: User, what: str) -> None:
    if user.pk == acting_user.pk:
        messages = {
            "deactivate": _("You cannot deactivate your own account."),
            "role": _("You cannot change your own role: ask another programme office user."),
        }
        raise Conflict(messages[what], code=f"self_{what}")


@transaction.atomic
def user_deactivate(*, user: User, acting_user: User, reason: str = "") -> User:
    """The account can no longer sign in (nothing is deleted; it can be reactivated)."""
    require_role(acting_user, OFFICE)
    locked = _lock(user)
    if not locked.is_active:
        raise Conflict(
            _("%(user)s is already deactivated.") % {"user": locked.username}, code="already_inactive"
        )
    _keeps_an_office(locked)
    _not_self(locked, acting_user, "deactivate")
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    audit_record(
        actor=acting_user,
        action="user.deactivate",
        obj=locked,
        changes={"is_active": {"before": True, "after": False}},
        reason=reason,
    )
    notify(
        recipients=[locked],
        kind="account.changed",
        title=gettext_noop("Your nic1000 account was deactivated"),
        body=gettext_noop("You can no longer sign in. Ask the programme office if this is a mistake."),
    )
    user.is_active = False
    return locked


@transaction.atomic
def user_reactivate(*, user: User, acting_user: User) -> User:
    require_role(acting_user, OFFICE)
    locked = _lock(user)
    if locked.is_active:
        raise Conflict(_("%(user)s is already active.") % {"user": locked.username}, code="already_active")
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    audit_record(
        actor=acting_user,
        action="user.reactivate",
        obj=locked,
        changes={"is_active": {"before": False, "after": True}},
    )
    notify(
        recipients=[locked],
        kind="account.changed",
        title=gettext_noop("Your nic1000 account was reactivated"),
        body=gettext_noop("You can sign in again."),
        link="/accounts/login/",
    )
    user.is_active = True
    return locked


@transaction.atomic
def user_role_change(
    *,
    user: User,
    role: str,
    acting_user: User,
    # The binding: a registry Body, Institution or Company (registry sits above accounts, so not named here).
    body: Any = None,
    institution: Any = None,
    company: Any = None,
) -> User:
    """A new role and the binding it takes (a ministry officer's body, an institution officer's institution, a
    company representative's company; other roles have none)."""
    require_role(acting_user, OFFICE)
    binding = binding_for_role(role=role, body=body, institution=institution, company=company)
    locked = _lock(user)
    if role != locked.role:
        _keeps_an_office(locked)
    _not_self(locked, acting_user, "role")
    before = snapshot(locked, _AUDITED)
    locked.role = role
    locked.body = binding["body"]
    locked.institution = binding["institution"]
    locked.company = binding["company"]
    locked.is_staff = role == Role.PROGRAM_OFFICE
    changes = diff(before, snapshot(locked, _AUDITED))
    if not changes:
        raise Conflict(_("Nothing to change: this is the user's role and binding already."), code="unchanged")
    locked.full_clean(exclude=["password"], validate_constraints=False)  # User.clean says the same
    locked.save(update_fields=["role", "body", "institution", "company", "is_staff"])
    audit_record(actor=acting_user, action="user.role_change", obj=locked, changes=changes)
    notify(
        recipients=[locked],
        kind="account.changed",
        title=gettext_noop("Your role in nic1000 changed"),
        body=gettext_noop(
            "The programme office changed your role or whom you act for. What you see and may do changed with it."
        ),
        link="/",
    )
    return locked
