"""The company registry and the programme's reference data (participating bodies, institutions, KSIC)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nic1000.core.identifiers import brn_format
from nic1000.registry.regions import Region
from nic1000.registry.statement_items import ITEM_NAMES


class Body(models.Model):
    """A ministry or agency that nominates candidates (configuration, not code)."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Agency")
        FSC = "fsc", _("Financial Services Commission")

    code = models.CharField(max_length=20, unique=True)
    name_ko = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MINISTRY)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.code})"


class Institution(models.Model):
    """A policy financial institution (KDB, IBK, KEXIM, KODIT, Kibo, Korea Growth Finance)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Policy bank")
        GUARANTEE = "guarantee", _("Guarantee fund")
        INVESTMENT = "investment", _("Investment")

    code = models.CharField(max_length=20, unique=True)
    name_ko = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.code})"


class KsicCode(models.Model):
    """KSIC 10th revision, every level (section letter to 5-digit sub-class), shipped in the repository."""

    code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField()  # 1 section .. 5 sub-class
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    section = models.CharField(max_length=1, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Company(models.Model):
    name_ko = models.CharField(_("Name (Korean)"), max_length=200)
    name_en = models.CharField(_("Name (English)"), max_length=200, blank=True)
    brn = models.CharField(_("Business registration number"), max_length=10, unique=True)
    ksic = models.ForeignKey(KsicCode, on_delete=models.PROTECT, verbose_name=_("KSIC code"))
    # Denormalised from ksic so the registry list filters on an indexed column.
    ksic_section = models.CharField(max_length=1, db_index=True, editable=False)
    region = models.CharField(_("Region"), max_length=2, choices=Region.choices, db_index=True)
    address = models.CharField(_("Address"), max_length=300, blank=True)
    founded_on = models.DateField(_("Founded on"))
    employees = models.PositiveIntegerField(_("Employees"), default=0)
    is_sme = models.BooleanField(_("SME"), default=True, db_index=True)
    is_listed = models.BooleanField(_("Listed"), default=False)
    website = models.URLField(_("Website"), blank=True)
    representative = models.CharField(_("Representative (CEO)"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_ko", "id"]
        indexes = [
            models.Index(fields=["name_ko", "id"]),
            models.Index(fields=["ksic_section", "name_ko", "id"]),
            models.Index(fields=["region", "name_ko", "id"]),
            # The list sorted by these columns (core.sorting adds the id): read in order, not sorted in full.
            models.Index(fields=["founded_on", "id"], name="registry_co_founded_id"),
            models.Index(fields=["employees", "id"], name="registry_co_employees_id"),
        ]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name_ko

    @property
    def brn_display(self) -> str:
        return brn_format(self.brn)


class Patent(models.Model):
    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        REGISTERED = "registered", _("Registered")
        EXPIRED = "expired", _("Expired")
        ABANDONED = "abandoned", _("Abandoned")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="patents")
    application_number = models.CharField(_("Application number"), max_length=30, unique=True)
    registration_number = models.CharField(_("Registration number"), max_length=30, blank=True)
    title = models.CharField(_("Title"), max_length=300)
    abstract = models.TextField(_("Abstract"), blank=True)
    ipc_classes = models.CharField(_("IPC classes"), max_length=300, blank=True)
    cpc_classes = models.CharField(_("CPC classes"), max_length=300, blank=True)
    filed_on = models.DateField(_("Filed on"))
    granted_on = models.DateField(_("Granted on"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.FILED)
    claims = models.PositiveIntegerField(_("Claims"), default=0)
    family_size = models.PositiveIntegerField(_("Family size"), default=1)
    forward_citations = models.PositiveIntegerField(_("Forward citations"), default=0)
    backward_citations = models.PositiveIntegerField(_("Backward citations"), default=0)

    class Meta:
        ordering = ["-filed_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="patent_granted_after_filed",
                condition=models.Q(granted_on__isnull=True) | models.Q(granted_on__gte=models.F("filed_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_number} {self.title}"


class CoreTechnology(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="technologies")
    name = models.CharField(_("Technology"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    keywords = models.CharField(_("Keywords"), max_length=300, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("Technology readiness level"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )

    class Meta:
        ordering = ["-trl", "id"]
        constraints = [models.CheckConstraint(name="trl_1_to_9", condition=models.Q(trl__gte=1, trl__lte=9))]

    def __str__(self) -> str:
        return self.name


class FinancialStatement(models.Model):
    """One company's statements for one fiscal year, in whole KRW. Ratios are derived, never stored here."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported file")
        FORM = "form", _("Submitted by the company")
        DEMO = "demo", _("Demo data")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="statements")
    fiscal_year = models.PositiveSmallIntegerField(_("Fiscal year"))
    credit_delinquency = models.BooleanField(
        _("Credit delinquency in the year"),
        default=False,
        help_text=_("Whether a credit delinquency was registered in the year."),
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    submitted_at = models.DateTimeField(null=True, blank=True)

    cash = models.BigIntegerField(_("Cash and cash equivalents"))
    short_term_securities = models.BigIntegerField(_("Short-term securities"), default=0)
    receivables = models.BigIntegerField(_("Receivables"), default=0)
    inventory = models.BigIntegerField(_("Inventory"), default=0)
    current_assets = models.BigIntegerField(_("Current assets"))
    fixed_assets = models.BigIntegerField(_("Fixed assets"))
    total_assets = models.BigIntegerField(_("Total assets"))
    short_term_liabilities = models.BigIntegerField(_("Short-term liabilities"))
    long_term_liabilities = models.BigIntegerField(_("Long-term liabilities"))
    total_liabilities = models.BigIntegerField(_("Total liabilities"))
    share_capital = models.BigIntegerField(_("Share capital"))
    retained_earnings = models.BigIntegerField(_("Retained earnings"))
    equity = models.BigIntegerField(_("Equity"))
    sales = models.BigIntegerField(_("Sales"))
    cost_of_products_sold = models.BigIntegerField(_("Cost of products sold"))
    operating_expenses = models.BigIntegerField(_("Operating expenses"))
    depreciation = models.BigIntegerField(_("Depreciation"), default=0)
    profit_on_sales = models.BigIntegerField(_("Profit on sales"))
    profit_on_operating_activities = models.BigIntegerField(_("Operating profit"))
    financial_expenses = models.BigIntegerField(_("Financial expenses"), default=0)
    interest_expense = models.BigIntegerField(_("Interest expense"), default=0)
    extraordinary_items = models.BigIntegerField(_("Extraordinary items"), default=0)
    gross_profit = models.BigIntegerField(_("Profit before tax"))
    net_profit = models.BigIntegerField(_("Net profit"))

    class Meta:
        ordering = ["company_id", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["company", "fiscal_year"], name="one_statement_per_year"),
            models.CheckConstraint(name="total_assets_not_negative", condition=models.Q(total_assets__gte=0)),
        ]
        indexes = [models.Index(fields=["fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.company_id} FY{self.fiscal_year}"

    def items(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ITEM_NAMES}
