from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nic1000.core.roles import Role


class User(AbstractUser):
    """A person using nic1000. The role decides what they see; the binding says whose data it is."""

    role = models.CharField(max_length=30, choices=Role.choices, default=Role.COMPANY)
    display_name = models.CharField(max_length=100, blank=True)
    body = models.ForeignKey(
        "registry.Body", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("Ministry or agency")
    )
    institution = models.ForeignKey(
        "registry.Institution", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("Institution")
    )
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("Company")
    )
    # The language of the e-mails the user receives (pages follow the language switch).
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        verbose_name=_("Language of e-mails"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="ministry_officer_has_body",
                condition=~models.Q(role=Role.MINISTRY_OFFICER) | models.Q(body__isnull=False),
            ),
            models.CheckConstraint(
                name="institution_officer_has_institution",
                condition=~models.Q(role=Role.INSTITUTION_OFFICER) | models.Q(institution__isnull=False),
            ),
            models.CheckConstraint(
                name="company_rep_has_company",
                condition=~models.Q(role=Role.COMPANY)
                | models.Q(company__isnull=False)
                | models.Q(is_superuser=True),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.MINISTRY_OFFICER and not self.body_id:
            raise ValidationError({"body": _("A ministry officer is bound to one ministry or agency.")})
        if self.role == Role.INSTITUTION_OFFICER and not self.institution_id:
            raise ValidationError({"institution": _("An institution officer is bound to one institution.")})
        if self.role == Role.COMPANY and not self.company_id and not self.is_superuser:
            raise ValidationError({"company": _("A company representative is bound to one company.")})

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles


class PasswordResetRequest(models.Model):
    """Password reset requests, for throttling them per client address and per e-mail (all workers see it)."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)


class Invitation(models.Model):
    """An e-mailed, one-time invitation to open an account with a role and its binding.

    Only a hash of the link's token is stored: the token itself is in the e-mail alone. An invitation is open
    until it is accepted, revoked (by hand, or by a newer invitation to the same address) or expires."""

    email = models.EmailField(_("E-mail address"))
    # The user name the account gets (blank: the e-mail address).
    username = models.CharField(_("User name"), max_length=150, blank=True)
    display_name = models.CharField(_("Name"), max_length=100, blank=True)
    role = models.CharField(_("Role"), max_length=30, choices=Role.choices)
    body = models.ForeignKey(
        "registry.Body",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Ministry or agency"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Institution"),
    )
    company = models.ForeignKey(
        "registry.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("Company"),
    )
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_invitations"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "accepted_at", "revoked_at"], name="invitation_open_by_email")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def account_username(self) -> str:
        """The user name the account will have."""
        return self.username or self.email

    def state_at(self, now: datetime) -> str:
        """One of "accepted", "revoked", "expired" or "open"."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"
