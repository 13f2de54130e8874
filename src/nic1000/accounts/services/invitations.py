"""Invitations: the programme office (anyone, any role) or a ministry officer (a representative of a company its
body nominated) invites a person by e-mail; the one-time link lets them set a password and enrol an
authenticator, and only then is the account made.

The link's token is never stored: only its SHA-256. The e-mail is sent once the transaction commits. A newer
invitation to the same address revokes the older ones still open.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import Invitation, User
from nic1000.accounts.selectors import may_invite_representative
from nic1000.accounts.services import totp_device_confirm, user_create
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.roles import OFFICE, Role

_AUDITED = [
    "email",
    "username",
    "display_name",
    "role",
    "body_id",
    "institution_id",
    "company_id",
    "expires_at",
]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute link of an invitation (NIC1000_SITE_URL and the accept page)."""
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    return f"{str(settings.NIC1000_SITE_URL).rstrip('/')}{path}"


@dataclass(frozen=True)
class Issued:
    """A new invitation and its token (known only now: the database keeps its hash)."""

    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return invitation_url(self.token)


def binding_for_role(*, role: str, body: Any, institution: Any, company: Any) -> dict[str, Any]:
    """The one binding the role takes (the others cleared); a clear error when it is missing."""
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role %(role)s.") % {"role": role},
            details=[ErrorDetail(message=_("Choose a role."), field="role")],
            code="unknown_role",
        )
    needs = {Role.MINISTRY_OFFICER: "body", Role.INSTITUTION_OFFICER: "institution", Role.COMPANY: "company"}
    given = {"body": body, "institution": institution, "company": company}
    field = needs.get(Role(role))
    if field is not None and given[field] is None:
        messages = {
            "body": _("A ministry officer is bound to one ministry or agency."),
            "institution": _("An institution officer is bound to one institution."),
            "company": _("A company representative is bound to one company."),
        }
        raise ValidationFailed(
            messages[field],
            details=[ErrorDetail(message=messages[field], field=field)],
            code="binding_missing",
        )
    return {k: (v if k == field else None) for k, v in given.items()}


def _check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        msg = _("Enter a valid e-mail address.")
        raise ValidationFailed(
            msg, details=[ErrorDetail(message=msg, field="email")], code="email_invalid"
        ) from None
    return email


def _check_free(*, email: str, username: str) -> None:
    """No account has this e-mail address or user name yet (one query)."""
    taken = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=username)).values_list(
        "email", "username"
    )
    for other_email, other_username in taken[:2]:
        if other_email.lower() == email.lower():
            msg = _("An account with this e-mail address exists already.")
            raise Conflict(msg, details=[ErrorDetail(message=msg, field="email")], code="email_in_use")
        msg = _("The user name %(name)s is taken.") % {"name": other_username}
        raise Conflict(msg, details=[ErrorDetail(message=msg, field="username")], code="username_taken")


def _revoke(invitation: Invitation, *, acting_user: User | None, now: datetime, reason: str) -> None:
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=acting_user,
        action="invitation.revoke",
        obj=invitation,
        changes={"revoked_at": {"before": None, "after": now}},
        reason=reason,
    )


def _send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "role": invitation.get_role_display(),
        "binding": str(invitation.company or invitation.body or invitation.institution or ""),
        "days": settings.INVITATION_EXPIRY_DAYS,
        "username": invitation.account_username,
    }
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    acting_user: User,
    display_name: str = "",
    username: str = "",
    # The binding: a registry Body, Institution or Company (registry sits above accounts, so not named here).
    body: Any = None,
    institution: Any = None,
    company: Any = None,
    send_email: bool = True,
    now: datetime | None = None,
) -> Issued:
    """Invite a person to an account with `role` and its binding. The programme office invites anyone; a ministry
    officer only a representative of a company its body nominated. Older open invitations to the same address
    are revoked. The e-mail goes out once the transaction commits (`send_email=False`: the demo, which makes
    its representatives itself)."""
    require_role(acting_user, OFFICE, Role.MINISTRY_OFFICER)
    binding = binding_for_role(role=role, body=body, institution=institution, company=company)
    if not acting_user.has_role(Role.PROGRAM_OFFICE):
        # A ministry officer: a company representative for a company its body nominated, nothing else.
        if role != Role.COMPANY:
            raise Forbidden(
                _("A ministry officer invites company representatives only."), code="forbidden_role"
            )
        if not may_invite_representative(user=acting_user, company_id=company.pk):
            raise NotFound(_("No such company."), code="company_not_found")
    email = _check_email(email)
    username = (username or "").strip()
    _check_free(email=email, username=username or email)
    now = now or timezone.now()
    for older in Invitation.objects.select_for_update().filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        _revoke(older, acting_user=acting_user, now=now, reason="replaced by a newer invitation")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        username=username,
        display_name=(display_name or "").strip()[:100],
        role=role,
        invited_by=acting_user,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        **binding,
    )
    # The bindings and the inviter are rows already; the token's hash is new (the database keeps it unique).
    invitation.full_clean(exclude=["body", "institution", "company", "invited_by"], validate_unique=False)
    invitation.save()
    audit_record(
        actor=acting_user,
        action="invitation.create",
        obj=invitation,
        changes=created(snapshot(invitation, _AUDITED)),
    )
    if send_email:
        transaction.on_commit(lambda: _send(invitation, token))
    return Issued(invitation=invitation, token=token)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, acting_user: User) -> Issued:
    """A new link for an open or expired invitation (the old one is revoked)."""
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was accepted already."), code="invitation_accepted")
    return invitation_create(
        email=invitation.email,
        role=invitation.role,
        acting_user=acting_user,
        display_name=invitation.display_name,
        username=invitation.username,
        body=invitation.body,
        institution=invitation.institution,
        company=invitation.company,
    )


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, acting_user: User, now: datetime | None = None
) -> Invitation:
    """Withdraw an open invitation: its link no longer works."""
    require_role(acting_user, OFFICE, Role.MINISTRY_OFFICER)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not acting_user.has_role(Role.PROGRAM_OFFICE) and not (
        locked.company_id is not None
        and may_invite_representative(user=acting_user, company_id=locked.company_id)
    ):
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    if locked.accepted_at is not None:
        raise Conflict(_("This invitation was accepted already."), code="invitation_accepted")
    if locked.revoked_at is not None:
        raise Conflict(_("This invitation was withdrawn already."), code="invitation_revoked")
    _revoke(locked, acting_user=acting_user, now=now or timezone.now(), reason="")
    return locked


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation of a link (whatever its state), or None for a link that never was."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("body", "institution", "company")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_refusal(invitation: Invitation | None, *, now: datetime | None = None) -> str:
    """Why a link cannot be used ("unknown", "accepted", "revoked", "expired"), or "" when it can."""
    if invitation is None:
        return "unknown"
    state = invitation.state_at(now or timezone.now())
    return "" if state == "open" else state


@dataclass(frozen=True)
class Accepted:
    user: User
    device: TOTPDevice


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    totp_key: str,
    totp_code: str,
    password: str = "",
    password_hash: str = "",
    now: datetime | None = None,
) -> Accepted:
    """Open the account of an invitation: the password (Django's validators) and a proven authenticator
    (`totp_key` the hex secret shown while enrolling, `totp_code` its current code). Everything or nothing: a
    used, withdrawn or expired link, a weak password or a wrong code creates nothing.
    `password_hash`: an already hashed password instead (the demo hashes its one password once)."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("invited_by", "body", "institution", "company")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    refusal = invitation_refusal(invitation, now=now)
    if invitation is None or refusal:
        messages = {
            "unknown": _("This invitation link is not valid."),
            "accepted": _("This invitation was accepted already: sign in instead."),
            "revoked": _("This invitation was withdrawn or replaced by a newer one."),
            "expired": _("This invitation has expired."),
        }
        raise Conflict(messages[refusal], code=f"invitation_{refusal}")
    username = invitation.account_username
    _check_free(email=invitation.email, username=username)
    user = user_create(
        username=username,
        password=None,
        role=invitation.role,
        acting_user=invitation.invited_by,
        display_name=invitation.display_name,
        email=invitation.email,
        body=invitation.body,
        institution=invitation.institution,
        company=invitation.company,
    )
    if password_hash:
        user.password = password_hash
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(
                " ".join(exc.messages),
                details=[ErrorDetail(message=m, field="password1") for m in exc.messages],
                code="password_invalid",
            ) from None
        user.set_password(password)
    user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=user, name="authenticator", key=totp_key, confirmed=False)
    if not totp_device_confirm(user=user, device=device, token=str(totp_code or "").strip()):
        msg = _("The code is wrong or has expired.")
        raise ValidationFailed(msg, details=[ErrorDetail(message=msg, field="token")], code="totp_wrong")
    invitation.accepted_at = now
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        changes={
            "accepted_at": {"before": None, "after": now},
            "accepted_user_id": {"before": None, "after": user.pk},
        },
    )
    return Accepted(user=user, device=device)
