"""A company's designation as a National Innovation Company (its membership of the programme).

The link the later stages share: a published selection (rounds) designates each selected company; policy
finance checks the designation for eligibility; monitoring inspects designated companies and can end one.
Written only through `designations.services`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
