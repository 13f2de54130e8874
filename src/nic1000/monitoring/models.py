"""Monitoring of selected companies: inspections and their results, support cases, surveys, removals.

Written only by `monitoring.services`; read through `monitoring.selectors`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nic1000.monitoring.workflows import CASE_WORKFLOW


class AlertLevel(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WATCH = "watch", _("Watch")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class EarlyWarningModel(models.Model):
    """A model file that inspections may use. At most one row is active; a file that fails to load is
    refused at activation, so the previous active row stays."""

    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    features = models.JSONField(default=list)
    active = models.BooleanField(default=False)
    activated_at = models.DateTimeField()
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-activated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_ews_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.sha256[:10]})"


class InspectionRun(models.Model):
    """One inspection of every active company for one period (YYYY-MM).

    Processed in chunks of companies ordered by id; `last_company_id` is the progress marker, so a worker
    killed in the middle is resumed by the next run for the same period. `claimed_by`/`heartbeat_at` stop two
    workers from running the same period at once (a claim without heartbeat for a while is stale)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Interrupted")

    class Trigger(models.TextChoices):
        MONTHLY = "monthly", _("Monthly schedule")
        ON_DEMAND = "on_demand", _("On demand")

    period = models.CharField(_("Period"), max_length=7, unique=True)  # YYYY-MM
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.ON_DEMAND)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the explanations of the results at the explanation level were stored (`inspection_explain`).
    explained_at = models.DateTimeField(null=True, blank=True)
    model_sha256 = models.CharField(max_length=64, blank=True)
    expected_fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_company_id = models.BigIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # level -> companies
    claimed_by = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result processing the run
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"inspection {self.period}"

    @property
    def level_counts(self) -> list[tuple[str, int]]:
        """Companies per alert level, most severe first, with the levels' labels (never their codes)."""
        counts = self.counts or {}
        return [(str(lv.label), int(counts[lv.value])) for lv in reversed(AlertLevel) if counts.get(lv.value)]


class InspectionResult(models.Model):
    """One company's result in one period. Upserted by (company, period): re-running changes nothing."""

    run = models.ForeignKey(InspectionRun, on_delete=models.CASCADE, related_name="results")
    period = models.CharField(max_length=7)
    company = models.ForeignKey("registry.Company", on_delete=models.CASCADE, related_name="inspections")
    membership = models.ForeignKey(
        "designations.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)  # statement used
    probability = models.FloatField(null=True, blank=True)
    model_level = models.CharField(max_length=10, choices=AlertLevel.choices, default=AlertLevel.NORMAL)
    level = models.CharField(max_length=10, choices=AlertLevel.choices, db_index=True)
    z_score = models.FloatField(null=True, blank=True)
    runway_months = models.FloatField(null=True, blank=True)
    debt_ratio = models.FloatField(null=True, blank=True)
    factors = models.JSONField(default=list)  # [{feature, contribution, direction, en, ko}]
    rules = models.JSONField(default=list)  # [{code, effect, level, en, ko}]
    reasons = models.JSONField(default=dict)  # ratio -> why it is missing

    class Meta:
        ordering = ["company_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["company", "period"], name="one_inspection_per_company_period")
        ]
        indexes = [models.Index(fields=["period", "level"])]

    def __str__(self) -> str:
        return f"{self.company_id} {self.period} {self.level}"

    @property
    def rule_labels(self) -> list[str]:
        """The rules that fired, in the reader's language (pages never show the stored codes)."""
        from nic1000.monitoring.rules import describe

        return [r["text"] for r in describe(list(self.rules or []))]


class SupportCase(models.Model):
    """A case of the Financial Difficulty Support Group. States in `monitoring/workflows.py`."""

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="support_cases")
    membership = models.ForeignKey(
        "designations.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_from = models.ForeignKey(
        InspectionResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(max_length=10, choices=AlertLevel.choices)
    state = models.CharField(max_length=20, default="open", db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("Due date"), null=True, blank=True)
    summary = models.TextField(blank=True)
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state__in=["open", "in_progress"]),
                name="one_active_support_case_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.company}"

    @property
    def state_label(self) -> str:
        return str(CASE_WORKFLOW.states.get(self.state, self.state))

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language: a case opened by an inspection stores
        "inspection 2026-11: critical", shown as "Inspection 2026-11: Critical" in the reader's words."""
        m = re.fullmatch(r"inspection (\d{4}-\d{2}): (\w+)", self.summary or "")
        if m is None:
            return self.summary
        level = AlertLevel(m.group(2)).label if m.group(2) in AlertLevel.values else m.group(2)
        return gettext("Inspection %(period)s: %(level)s") % {"period": m.group(1), "level": level}


class CaseAction(models.Model):
    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        CONSULTATION = "consultation", _("Consultation")
        MATURITY_EXTENSION = "maturity_extension", _("Maturity-extension request to lenders")
        REFERRAL = "referral", _("Referral to a ministry programme")
        NOTE = "note", _("Note")

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField()
    institution = models.ForeignKey(
        "registry.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.case_id}"


class SurveyReview(models.Model):
    """Fields shared by both surveys: who submitted, who reviewed."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        abstract = True


class MonthlySurvey(SurveyReview):
    """The monthly status survey: support received and financing plans."""

    class SupportStatus(models.TextChoices):
        RECEIVED = "received", _("Support received as planned")
        PARTLY = "partly", _("Partly received")
        WAITING = "waiting", _("Waiting for a decision")
        NONE = "none", _("No support needed this month")

    company = models.ForeignKey("registry.Company", on_delete=models.CASCADE, related_name="monthly_surveys")
    period = models.CharField(_("Month"), max_length=7)
    support_status = models.CharField(_("Support status"), max_length=10, choices=SupportStatus.choices)
    financing_need = models.BigIntegerField(_("Financing needed in the next 6 months (KRW)"), default=0)
    financing_plan = models.TextField(_("Financing plans"), blank=True)
    needs_help = models.BooleanField(_("We would like the support group to contact us"), default=False)

    class Meta:
        ordering = ["-period", "company_id"]
        constraints = [models.UniqueConstraint(fields=["company", "period"], name="one_monthly_survey")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.period}"


class Difficulty(models.TextChoices):
    """What a company may name as a difficulty in the six-monthly survey (stored as a list of codes)."""

    FUNDING = "funding", _("Access to funding")
    INTEREST = "interest", _("Interest and fees")
    COLLATERAL = "collateral", _("Collateral or guarantees")
    SALES = "sales", _("Sales and markets")
    HIRING = "hiring", _("Hiring")
    REGULATION = "regulation", _("Regulation")
    OTHER = "other", _("Other")


class DifficultySurvey(SurveyReview):
    """The six-monthly survey: satisfaction, difficulties, improvements needed."""

    company = models.ForeignKey(
        "registry.Company", on_delete=models.CASCADE, related_name="difficulty_surveys"
    )
    half = models.CharField(_("Half-year"), max_length=6)  # 2026H1
    satisfaction = models.PositiveSmallIntegerField(_("Satisfaction (1-5)"))
    difficulties = models.JSONField(_("Difficulties"), default=list)
    improvements = models.TextField(_("Improvements needed"), blank=True)

    class Meta:
        ordering = ["-half", "company_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "half"], name="one_difficulty_survey"),
            models.CheckConstraint(
                name="satisfaction_1_to_5", condition=models.Q(satisfaction__gte=1, satisfaction__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.half}"

    def difficulty_labels(self) -> list[str]:
        labels = dict(Difficulty.choices)
        return [str(labels.get(code, code)) for code in self.difficulties or []]


class Removal(models.Model):
    """A company removed from the programme at a re-evaluation; counted as a vacancy for the next round.

    The reason, the note and the nominating body are the designation's (`membership`), kept there once."""

    membership = models.OneToOneField(
        "designations.Membership", on_delete=models.PROTECT, related_name="removal"
    )
    removed_at = models.DateTimeField(db_index=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-removed_at", "-id"]

    def __str__(self) -> str:
        # Stored in the audit trail as written (hashed): a name, not English words the reader cannot translate.
        return f"#{self.pk} {self.membership.company.name_ko}"


class RiskCalibration(models.Model):
    """How the model's probabilities are moved to the programme (append-only: the newest row is in force).

    The model is calibrated to its training sample's base rate (`sample_rate`). A row either sets the
    programme's base rate (by hand or estimated from recorded outcomes: prior correction) or refits a logistic
    map on recorded outcomes (`a`, `b`). No row: the probabilities stay at the sample's base rate."""

    class Method(models.TextChoices):
        BASE_RATE_SET = "base_rate_set", _("Base rate set by the support group")
        BASE_RATE_ESTIMATED = "base_rate_estimated", _("Base rate estimated from recorded outcomes")
        REFIT = "refit", _("Refitted on recorded outcomes")

    method = models.CharField(max_length=30, choices=Method.choices)
    sample_rate = models.FloatField()
    base_rate = models.FloatField(null=True, blank=True)
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    observations = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.created_at:%Y-%m-%d}"
