"""Policy finance: the institutions' products and terms, Center routing rules, applications, money moved,
and the institutions' API tokens (with idempotency records and rate-limit windows).

States of an application are declared in `finance/workflows.py` and changed only through
`activity.services.workflow_transition`; amounts are whole KRW.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What the company needs the money for; also the kind of a product."""

    OPERATING = "operating", _("Operating (working-capital) loan")
    FACILITY = "facility", _("Facility loan")
    EXPORT = "export", _("Export financing")
    GUARANTEE = "guarantee", _("Credit guarantee")
    INVESTMENT = "investment", _("Investment")


# How the programme reports money: loans, guarantees, investment.
REPORT_GROUP = {
    Purpose.OPERATING: "loans",
    Purpose.FACILITY: "loans",
    Purpose.EXPORT: "loans",
    Purpose.GUARANTEE: "guarantees",
    Purpose.INVESTMENT: "investment",
}


class LimitBasis(models.TextChoices):
    ESTIMATED_SALES = "estimated_sales", _("Share of estimated sales for the year")
    EXPORT_PERFORMANCE = "export_performance", _("Share of export performance")
    FIXED = "fixed", _("Fixed ceiling")


class Product(models.Model):
    """One product of one institution, with its base terms and the programme's preferential terms."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="products")
    code = models.CharField(max_length=40, unique=True)
    name_ko = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Purpose.choices)
    limit_basis = models.CharField(max_length=20, choices=LimitBasis.choices)
    # Shares of the basis (0.50 = 50%). Base terms apply to everyone, preferential to selected companies.
    base_limit_ratio = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    pref_limit_ratio = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    limit_cap_krw = models.BigIntegerField(null=True, blank=True, help_text=_("Absolute ceiling, if any"))
    base_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    pref_rate_cut_pp = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    base_guarantee_ratio_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    pref_guarantee_ratio_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    base_fee_pct = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    pref_fee_cut_pp = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    max_maturity_months = models.PositiveSmallIntegerField(default=36)
    # Product-specific eligibility, e.g. {"requires_export": true, "requires_technology": true}.
    eligibility = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.code})"


class RoutingRule(models.Model):
    """A rule of the Innovation Growth Policy Finance Center: the first matching rule (by priority) names the
    lead institution's product and says why. Blank conditions match anything."""

    priority = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    technology_company = models.BooleanField(
        null=True, blank=True, help_text=_("Match only technology companies (yes), only others (no), or any")
    )
    min_amount_krw = models.BigIntegerField(null=True, blank=True)
    max_amount_krw = models.BigIntegerField(null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="routing_rules")
    reason_ko = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"#{self.priority} → {self.product.code}"


class Application(models.Model):
    class Channel(models.TextChoices):
        DIRECT = "direct", _("Directly to an institution")
        CENTER = "center", _("Innovation Growth Policy Finance Center")

    company = models.ForeignKey(
        "registry.Company", on_delete=models.PROTECT, related_name="finance_applications"
    )
    membership = models.ForeignKey("designations.Membership", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="applications")
    institution = models.ForeignKey(
        "registry.Institution", on_delete=models.PROTECT, related_name="finance_applications"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    amount_requested = models.BigIntegerField()
    needed_by = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    estimated_sales = models.BigIntegerField(null=True, blank=True)
    export_performance = models.BigIntegerField(null=True, blank=True)
    # Terms computed when the application was made (and re-computed on transfer).
    limit_krw = models.BigIntegerField()
    quoted_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    routing_reason = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=20, default="submitted", db_index=True)
    info_request = models.TextField(blank=True)
    company_reply = models.TextField(blank=True)
    # The decision.
    approved_amount = models.BigIntegerField(null=True, blank=True)
    approved_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    approved_guarantee_ratio_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    approved_maturity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Running totals kept by the money services, so exposure is one aggregate query.
    disbursed_total = models.BigIntegerField(default=0)
    repaid_total = models.BigIntegerField(default=0)
    # When the outstanding balance falls due: the first disbursement's date plus the approved maturity (set by
    # `disbursement_record`). The model keeps no instalment schedule, so this is the one due date.
    maturity_on = models.DateField(null=True, blank=True, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "state", "updated_at"]),
            models.Index(fields=["company", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="application_amount_positive", condition=models.Q(amount_requested__gt=0)
            ),
            models.CheckConstraint(
                name="application_repaid_within_disbursed",
                condition=models.Q(repaid_total__lte=models.F("disbursed_total")),
            ),
        ]

    def __str__(self) -> str:
        return f"F-{self.pk:05d}" if self.pk else "F-new"

    @property
    def outstanding(self) -> int:
        return self.disbursed_total - self.repaid_total

    @property
    def routing_reason_text(self) -> str:
        """The Center's reason in the reader's language (rules write "Korean / English")."""
        ko, sep, en = self.routing_reason.partition(" / ")
        if not sep:
            return self.routing_reason
        return ko if (get_language() or "ko").startswith("ko") else en


class Disbursement(models.Model):
    """Money paid out (a loan drawn, a guarantee issued, an investment made)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.BigIntegerField()
    on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.CheckConstraint(name="disbursement_positive", condition=models.Q(amount__gt=0))]


class Repayment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="repayments")
    amount = models.BigIntegerField()
    on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.CheckConstraint(name="repayment_positive", condition=models.Q(amount__gt=0))]


class ApplicationDocument(models.Model):
    """A file the company attached to its application, kept in private storage (`finance.documents`): its type
    was decided by its content, and it is served only through the download view to those who see the
    application."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=200)  # the uploader's file name, cleaned; shown and used on download
    kind = models.CharField(max_length=10)  # the detected type: pdf, png, jpeg, xlsx, docx, hwp, hwpx
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=200, unique=True)  # the path inside FINANCE_DOCUMENT_ROOT
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """An institution's API token. Only the sha256 of the secret is stored; the secret is shown once."""

    institution = models.ForeignKey(
        "registry.Institution", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST made with one Idempotency-Key. Keys belong to the institution, not to the
    token: the same key sent through a second token of the same institution replays the first answer."""

    institution = models.ForeignKey("registry.Institution", on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="idempotency_key_per_institution")
        ]


class ApiRateCounter(models.Model):
    """One token's requests accepted in the last minute, counted per second (`{"<unix second>": count}`):
    a sliding window kept in the database, so every app process sees the same count. The row is locked for
    each request (one per token), and seconds older than the window are dropped as it slides."""

    token = models.OneToOneField(ApiToken, on_delete=models.CASCADE, primary_key=True, related_name="+")
    seconds = models.JSONField(default=dict)
