"""Writes on accounts: creating users, two-factor enrolment and reset, passwords, programme settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import PasswordResetRequest, User
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import ValidationFailed
from nic1000.core.models import ProgramSetting
from nic1000.core.roles import OFFICE, Role

_AUDITED = [
    "username",
    "role",
    "display_name",
    "email",
    "body_id",
    "institution_id",
    "company_id",
    "is_active",
]


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    acting_user: User | None,
    display_name: str = "",
    email: str = "",
    # The binding: a registry Body, Institution or Company (registry sits above accounts, so not named here).
    body: Any = None,
    institution: Any = None,
    company: Any = None,
    check_password: bool = True,
) -> User:
    """A new user with a role and its binding; without a password the account cannot log in until one is set.
    `acting_user` None: the system creates the first user."""
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role %(role)s.") % {"role": role}, code="unknown_role")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        email=email,
        body=body,
        institution=institution,
        company=company,
        # The programme office browses the Django admin (read-only); it is never a superuser, so nothing
        # reaches the tables except through these audited services.
        is_staff=role == Role.PROGRAM_OFFICE,
        is_superuser=False,
    )
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    # The bindings are rows already, and the check constraints say what `User.clean` says: both are left to
    # the database rather than checked with a query each.
    user.full_clean(exclude=["password", "body", "institution", "company"], validate_constraints=False)
    user.save()
    audit_record(actor=acting_user, action="user.create", obj=user, changes=created(snapshot(user, _AUDITED)))
    return user


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device; it counts only once the user proves it with a token."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action="user.2fa_enrol",
        obj=user,
        changes={"two_factor": {"before": False, "after": True}},
    )
    return True


@transaction.atomic
def program_setting_update(*, require_staff_2fa: bool, acting_user: User) -> ProgramSetting:
    require_role(acting_user, OFFICE)
    setting = ProgramSetting.current()
    before = setting.require_staff_2fa
    setting.require_staff_2fa = require_staff_2fa
    setting.save()
    audit_record(
        actor=acting_user,
        action="program_setting.update",
        obj=setting,
        changes={"require_staff_2fa": {"before": before, "after": require_staff_2fa}},
    )
    return setting


@transaction.atomic
def second_factor_reset(*, user: User, acting_user: User) -> int:
    """The programme office removes every authenticator of `user` (a lost phone): they sign in with their
    password alone and enrol again (when the programme requires it, at their next page). Audited; the user
    is told in the app. Returns how many devices were removed."""
    require_role(acting_user, OFFICE)
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        actor=acting_user,
        action="user.2fa_reset",
        obj=user,
        changes={"two_factor": {"before": bool(removed), "after": False}},
    )
    notify(
        recipients=[user],
        kind="account",
        title=gettext_noop("Your second factor was reset by the programme office"),
        body=gettext_noop("Sign in with your password and enrol your authenticator app again."),
        link="/accounts/two-factor/",
    )
    return int(removed)


@transaction.atomic
def password_changed_record(*, user: User, how: str) -> None:
    """Audits a password change (`how`: "change" by the user, "reset" through an e-mailed link) and tells the
    user in the app. Django's views set the password; the new hash is never recorded."""
    audit_record(
        actor=user,
        action=f"user.password_{how}",
        obj=user,
        changes={"password": {"before": "***", "after": "***"}},
    )
    # Tells the owner, so a change they did not make is noticed.
    notify(
        recipients=[user],
        kind="account",
        title=gettext_noop("Your password was changed"),
        body=gettext_noop("If you did not change it, reset it now and tell the programme office."),
        link="/accounts/password/reset/",
    )


def password_reset_request_allowed(*, email: str, ip: str | None) -> bool:
    """Records a password reset request; False when this address or this e-mail has asked too often in the
    last hour (the caller then answers the same as always and sends nothing)."""
    now = timezone.now()
    email = email.strip().lower()[:254]
    limit = settings.PASSWORD_RESET_REQUESTS_PER_HOUR
    with transaction.atomic():
        PasswordResetRequest.objects.filter(at__lt=now - timedelta(hours=1)).delete()
        recent = PasswordResetRequest.objects.filter(at__gte=now - timedelta(hours=1))
        too_many = recent.filter(email=email).count() >= limit or (
            ip is not None and recent.filter(ip=ip).count() >= limit * 4
        )
        PasswordResetRequest.objects.create(email=email, ip=ip, at=now)
    return not too_many
