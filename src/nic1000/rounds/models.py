"""The programme, its selection rounds, and the companies' membership in the programme.

`Membership` is the link the later stages share: a published selection creates one per selected company;
policy finance checks it for eligibility; monitoring inspects active members and can end a membership.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Program(models.Model):
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    target_companies = models.PositiveIntegerField(default=1000)
    bodies = models.ManyToManyField("registry.Body", blank=True, related_name="programs")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.name_ko


class Round(models.Model):
    """A selection round. Its states are declared in `rounds/workflows.py` and changed only through the
    transition service."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=20, default="draft", db_index=True)
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    scoring_deadline = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["program", "number"], name="round_number_per_program")]

    def __str__(self) -> str:
        return self.name


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
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="memberships")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="memberships")
    sector = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    selected_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=30, choices=RemovalReason.choices, blank=True)
    removal_note = models.TextField(blank=True)

    class Meta:
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
