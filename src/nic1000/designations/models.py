"""A company's designation as a National Innovation Company (its membership of the programme), and the
half-yearly re-evaluations of designated companies by the bodies that nominated them.

The link the later stages share: a published selection (rounds) designates each selected company until the end
date the programme sets (`ends_on`); policy finance checks the designation for eligibility; monitoring inspects
designated companies and can end one. Its states are `designations.workflows.MEMBERSHIP`. Written only through
`designations.services` and `designations.reevaluations`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nic1000.designations.workflows import LIVE


def new_certificate_code() -> str:
    """A designation certificate's verification code: 20 random base32 characters (100 bits), unguessable,
    printed on the certificate and in its QR code (`/verify/<code>/`)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
    return "".join(secrets.choice(alphabet) for _ in range(20))


class Membership(models.Model):
    """A company's place in the programme, from a published selection until it ends."""

    class Status(models.TextChoices):
        # The codes are older than the workflow's names: "active" is designated, "ended" is expired.
        ACTIVE = "active", _("Designated")
        UNDER_REEVALUATION = "under_reevaluation", _("Under re-evaluation")
        REMOVED = "removed", _("Removed")
        ENDED = "ended", _("Expired")

    class RemovalReason(models.TextChoices):
        MASS_PRODUCTION_FAILED = "mass_production_failed", _("Failed mass production of the technology")
        WEAK_MARKETABILITY = "weak_marketability", _("Weak marketability")
        GOING_CONCERN = "going_concern", _("Severe damage to going-concern value")
        OTHER = "other", _("Other")

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="memberships")
    round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="memberships")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="memberships")
    sector = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    selected_on = models.DateField()
    # The last day of the benefits (the programme's designation period from publication); null: no end set.
    ends_on = models.DateField(_("Benefits until"), null=True, blank=True)
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
                condition=models.Q(status__in=LIVE),
                name="one_active_membership_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.round})"

    @property
    def is_live(self) -> bool:
        """Designated now (also while under re-evaluation): the certificate is valid, finance is open."""
        return self.status in LIVE_STATES


# A designation holds (benefits, certificate, monitoring) in these states (`workflows.LIVE`).
LIVE_STATES: tuple[str, ...] = LIVE


def half_bounds(half: str) -> tuple[dt.date, dt.date]:
    """'2027H1' → (2027-01-01, 2027-06-30); '2027H2' → (2027-07-01, 2027-12-31)."""
    year = int(half[:4])
    if half.endswith("1"):
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


class ReevaluationPeriod(models.Model):
    """A half-year's re-evaluation, opened by the programme office: each body re-evaluates the companies it
    nominated that are designated, by `due_on`."""

    half = models.CharField(_("Half-year"), max_length=6, unique=True)  # "2027H1"
    opened_on = models.DateField()
    due_on = models.DateField(_("Due on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-half"]
        constraints = [
            models.CheckConstraint(
                name="reevaluation_half_format", condition=models.Q(half__regex=r"^\d{4}H[12]$")
            )
        ]

    def __str__(self) -> str:
        return self.half


class Reevaluation(models.Model):
    """One designated company re-evaluated by its nominating body for one half-year, and the office's decision.

    Four ratings of 1–5 (innovation effort, future growth, financial results, non-financial results), each with
    a comment, and the body's recommendation; the programme office decides continuation or removal."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("Continue the designation")
        REMOVE = "remove", _("Remove the company")

    class Decision(models.TextChoices):
        PENDING = "", _("Not decided yet")
        CONTINUE = "continue", _("Continued")
        REMOVE = "remove", _("Removed")

    period = models.ForeignKey(ReevaluationPeriod, on_delete=models.PROTECT, related_name="reevaluations")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="reevaluations")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="+")
    innovation_effort = models.PositiveSmallIntegerField(_("Innovation effort"))
    innovation_effort_comment = models.TextField(blank=True)
    growth = models.PositiveSmallIntegerField(_("Future growth"))
    growth_comment = models.TextField(blank=True)
    financial = models.PositiveSmallIntegerField(_("Financial results"))
    financial_comment = models.TextField(blank=True)
    non_financial = models.PositiveSmallIntegerField(_("Non-financial results"))
    non_financial_comment = models.TextField(blank=True)
    recommendation = models.CharField(_("Recommendation"), max_length=10, choices=Recommendation.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    RATINGS = ("innovation_effort", "growth", "financial", "non_financial")

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "membership"], name="one_reevaluation_per_half"),
            *(
                models.CheckConstraint(
                    name=f"reevaluation_{f}_1_to_5", condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 5})
                )
                for f in ("innovation_effort", "growth", "financial", "non_financial")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.period_id}"

    @property
    def average(self) -> float:
        total: int = self.innovation_effort + self.growth + self.financial + self.non_financial
        return total / len(self.RATINGS)
