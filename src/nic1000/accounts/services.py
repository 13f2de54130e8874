"""Writes on accounts: creating users, role bindings, two-factor enrolment, programme settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.errors import ValidationFailed
from nic1000.core.models import ProgramSetting
from nic1000.core.roles import Role

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
    acting_user: Any,
    display_name: str = "",
    email: str = "",
    body: Any = None,
    institution: Any = None,
    company: Any = None,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationFailed(f"unknown role {role!r}")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        email=email,
        body=body,
        institution=institution,
        company=company,
        # The programme office administers reference data in the Django admin.
        is_staff=role == Role.PROGRAM_OFFICE,
        is_superuser=role == Role.PROGRAM_OFFICE,
    )
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=acting_user, action="user.create", obj=user, changes=created(snapshot(user, _AUDITED)))
    return user


@transaction.atomic
def user_update(*, user: User, acting_user: Any, **fields: Any) -> User:
    before = snapshot(user, _AUDITED)
    for key, value in fields.items():
        if key not in {"role", "display_name", "email", "body", "institution", "company", "is_active"}:
            raise ValidationFailed(f"field {key} cannot be changed here")
        setattr(user, key, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=acting_user, action="user.update", obj=user, changes=diff(before, snapshot(user, _AUDITED))
    )
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
def program_setting_update(*, require_staff_2fa: bool, acting_user: Any) -> ProgramSetting:
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
