"""A company's designation as a National Innovation Company (its membership of the programme).

The link the later stages share: a published selection (rounds) designates each selected company; policy
finance checks the designation for eligibility; monitoring inspects designated companies and can end one.
Written only through `designations.services`.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_certificate_code() -> str:
    """A designation certificate's verification code: 20 random base32 characters (100 bits), unguessable,
    printed on the certificate and in its QR code (`/verify/<code>/`)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
    return "".join(secrets.choice(alphabet) for _ in range(20))


class Membership(models.Model):
    """A company's place in the programme, from a published selection until it ends."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")
        ENDED = "ended", _("Period ended")

    class RemovalReason(models.TextChoices):
        MASS_PRODUCTION_FAILED = "mass_production_failed", _("Failed mass production of the technology")
        WEAK_MARKETABILITY = "weak_marketability", _("Weak marketability")
        GOING_CONCERN = "going_concern", _("Severe damage to going-concern value")
        OTHER = "other", _("Other")

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="memberships")
    round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="memberships")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="memberships")
    sector = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    selected_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=30, choices=RemovalReason.choices, blank=True)
    removal_note = models.TextField(blank=True)
    # Stored (not derived) so it can be looked up by the public verifier and audited with the designation; made
    # with the designation. A removed designation keeps its code: the verifier then says it is no longer valid.
    certificate_code = models.CharField(
        max_length=20, unique=True, default=new_certificate_code, editable=False
    )

    class Meta:
        db_table = "rounds_membership"  # made by the rounds app before designations had their own module
        ordering = ["-selected_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(status="active"),
                name="one_active_membership_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.round})"
