"""The programme and its selection rounds: configuration, nominations, candidacies, evaluation, selection and
publication. A published selection designates its companies through `nic1000.designations`."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nic1000.registry.regions import Region
from nic1000.rounds.selection_texts import diagnosis_text, eligibility_text, explanation_text, quota_label
from nic1000.rounds.workflows import RoundState


class Program(models.Model):
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    target_companies = models.PositiveIntegerField(_("Target of designated companies"), default=1000)
    # How long a designation's benefits last from publication (the designation's end date, `Membership.ends_on`).
    designation_years = models.PositiveSmallIntegerField(
        _("Designation period (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
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
    state = models.CharField(
        max_length=20, choices=RoundState.choices, default=RoundState.DRAFT, db_index=True
    )
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    scoring_deadline = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["program", "number"], name="round_number_per_program")]

    def __str__(self) -> str:
        return self.name


# --- Round configuration: criteria, rubric, bonus items, eligibility rules, quotas -------------------------

DEFAULT_CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("global_competitiveness", "글로벌 경쟁력", "Global competitiveness"),
    ("megatrends", "메가트렌드 부합성", "Fit with megatrends"),
    ("market_growth", "향후 5년 시장 성장성", "Market growth expected over five years"),
    ("tech_differentiation", "기술 차별성", "Technology differentiation"),
    ("tech_maturity", "기술 성숙도", "Technical maturity"),
)


class RoundSettings(models.Model):
    """How a round evaluates and selects (one row per round, made with the round)."""

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean")
        MEDIAN = "median", _("Median")

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="settings")
    reviews_per_candidacy = models.PositiveSmallIntegerField(_("Evaluators per candidacy"), default=3)
    load_min = models.PositiveSmallIntegerField(_("Minimum reviews per evaluator"), default=0)
    load_max = models.PositiveSmallIntegerField(_("Maximum reviews per evaluator"), default=15)
    score_min = models.PositiveSmallIntegerField(_("Lowest score"), default=1)
    score_max = models.PositiveSmallIntegerField(_("Highest score"), default=5)
    aggregation = models.CharField(
        _("Aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    disagreement_threshold = models.FloatField(
        _("Disagreement flag: evaluators' spread (points of 100) above"), default=15.0
    )

    class Leniency(models.TextChoices):
        RAW = "raw", _("Raw scores")
        ADJUSTED = "adjusted", _("Adjusted for each evaluator's leniency")

    leniency = models.CharField(
        _("Evaluator calibration"), max_length=10, choices=Leniency.choices, default=Leniency.RAW
    )

    class AssignmentMode(models.TextChoices):
        DETERMINISTIC = "deterministic", _("Optimal (deterministic)")
        RANDOMIZED = "randomized", _("Randomised, probability capped")

    assignment_mode = models.CharField(
        _("Assignment of evaluators"),
        max_length=15,
        choices=AssignmentMode.choices,
        default=AssignmentMode.DETERMINISTIC,
    )
    # Jecmen et al. 2020: no evaluator–candidacy pair is drawn with a probability above q.
    probability_cap = models.FloatField(
        _("Probability cap q per evaluator and candidacy"),
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="round_score_scale", condition=models.Q(score_max__gt=models.F("score_min"))
            ),
            models.CheckConstraint(
                name="round_load_bounds", condition=models.Q(load_max__gte=models.F("load_min"))
            ),
        ]


# The settings the programme office edits on the settings page.
ROUND_SETTINGS_FIELDS = (
    "reviews_per_candidacy",
    "load_min",
    "load_max",
    "score_min",
    "score_max",
    "aggregation",
    "disagreement_threshold",
    "leniency",
    "assignment_mode",
    "probability_cap",
)


class Criterion(models.Model):
    """One scoring criterion of a round; `body` null = the round's default set, else that body's own set."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    body = models.ForeignKey("registry.Body", null=True, blank=True, on_delete=models.PROTECT)
    key = models.SlugField(max_length=50)
    name_ko = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150, blank=True)
    weight = models.PositiveSmallIntegerField()
    # {"1": "what a 1 means", ..., "5": "..."}
    rubric = models.JSONField(default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round_id", "body_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "body", "key"], name="criterion_key_per_set"),
            models.UniqueConstraint(
                fields=["round", "key"],
                condition=models.Q(body__isnull=True),
                name="criterion_key_default_set",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko


class BonusItem(models.Model):
    """Bonus points an evaluator may confirm (e.g. regulatory-sandbox approval)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="bonus_items")
    body = models.ForeignKey("registry.Body", null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["round_id", "body_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} (+{self.points})"


class EligibilityRule(models.Model):
    class Kind(models.TextChoices):
        CREDIT_DELINQUENCY = "credit_delinquency", _("No credit delinquency in the last fiscal year")
        CAPITAL_IMPAIRMENT = "capital_impairment", _("No full capital impairment in the last fiscal year")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="eligibility_rules")
    body = models.ForeignKey("registry.Body", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "body", "kind"], name="eligibility_rule_once")
        ]


class Quota(models.Model):
    class Family(models.TextChoices):
        TOTAL = "total", _("Total")
        BODY = "body", _("Per nominating body")
        SECTOR = "sector", _("Per sector")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    family = models.CharField(max_length=10, choices=Family.choices)
    key = models.CharField(max_length=50, blank=True)  # body code or sector key; "" for the total
    min_count = models.PositiveIntegerField(null=True, blank=True)
    max_count = models.PositiveIntegerField(null=True, blank=True)
    # A body's places to refill: removed designations of its companies since its previous round (at most those
    # vacancies, `rounds.selectors.vacancies_for`); the optimiser adds them to the body's and the total maximum.
    refill = models.PositiveIntegerField(_("Places to refill"), default=0)

    class Meta:
        ordering = ["round_id", "family", "key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "family", "key"], name="quota_once"),
            models.CheckConstraint(
                name="quota_min_le_max",
                condition=models.Q(min_count__isnull=True)
                | models.Q(max_count__isnull=True)
                | models.Q(min_count__lte=models.F("max_count")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.family}:{self.key}" if self.key else self.family

    @property
    def label(self) -> str:
        """The quota as people read it ("Sector ICT and software"), never its codes."""
        return quota_label(self.family, self.key)


# --- Nominations and candidacies ----------------------------------------------------------------------------


class Candidacy(models.Model):
    """One company in one round, however many bodies nominated it."""

    class DisagreementReason(models.TextChoices):
        NONE = "", _("None")
        SPREAD = "spread", _("Spread among the round's widest")
        OUTLIER = "outlier", _("One evaluator far from the rest of the panel")

    class Forced(models.TextChoices):
        NONE = "", _("Not forced")
        IN = "in", _("Forced in")
        OUT = "out", _("Forced out")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="candidacies")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="candidacies")
    lead_body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=50, blank=True, db_index=True)
    created_at = models.DateTimeField()
    eligible = models.BooleanField(default=True)
    eligibility_reasons = models.JSONField(default=list, blank=True)
    eligibility_override_reason = models.TextField(blank=True)
    # Aggregation (written by the aggregation service)
    score = models.FloatField(null=True, blank=True)
    spread = models.FloatField(null=True, blank=True)
    reviews_count = models.PositiveSmallIntegerField(default=0)
    disagreement = models.BooleanField(default=False)
    disagreement_reason = models.CharField(
        max_length=10, choices=DisagreementReason.choices, default=DisagreementReason.NONE, blank=True
    )
    disagreement_sd = models.FloatField(null=True, blank=True)  # the panel's standard deviation
    disagreement_z = models.FloatField(null=True, blank=True)  # the outlying review's robust z
    disagreement_evaluator = models.ForeignKey(
        "EvaluatorProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Selection (written by the selection service)
    forced = models.CharField(max_length=3, choices=Forced.choices, default=Forced.NONE, blank=True)
    force_reason = models.TextField(blank=True)
    selected = models.BooleanField(null=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    deciding_quota = models.CharField(max_length=200, blank=True)
    # Share of bootstrap draws of the reviews in which the selection chose it (written by the selection run)
    selection_probability = models.FloatField(null=True, blank=True)
    # A body-run evaluation: its committee's decision on this candidacy (None until the committee decides).
    committee_recommended = models.BooleanField(null=True)

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "company"], name="one_candidacy_per_company")]
        indexes = [models.Index(fields=["round", "lead_body"]), models.Index(fields=["round", "rank"])]

    def __str__(self) -> str:
        return f"{self.company} · {self.round}"

    @property
    def eligibility_texts(self) -> list[dict[str, str]]:
        """The eligibility check's reasons in the reader's language: {"ok", "message"}."""
        return [
            {"ok": str(r.get("ok", "")), "message": eligibility_text(r)}
            for r in self.eligibility_reasons or []
        ]

    @property
    def deciding_text(self) -> str:
        """Why the optimiser included or excluded it, in the reader's language."""
        return explanation_text(self.deciding_quota)


class Nomination(models.Model):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="nominations")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    reason = models.TextField()
    evidence = models.TextField(blank=True)  # links or references
    evidence_file = models.FileField(upload_to="nominations/%Y/", blank=True)

    class Meta:
        ordering = ["candidacy_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["candidacy", "body"], name="one_nomination_per_body")]
        indexes = [models.Index(fields=["body", "candidacy"])]


# --- Evaluators, conflicts, assignments, reviews ------------------------------------------------------------


class EvaluatorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluator_profile"
    )
    affiliation = models.CharField(_("Affiliation"), max_length=200, blank=True)
    ksic_sections = models.CharField(_("KSIC sections of expertise"), max_length=50, blank=True)  # e.g. "C,J"
    keywords = models.CharField(_("Technology keywords"), max_length=500, blank=True)
    expertise = models.TextField(_("Expertise (free text)"), blank=True)
    active = models.BooleanField(default=True)
    # A member of a nominating body's own committee (that body manages it); None: the FSC's central panel.
    body = models.ForeignKey(
        "registry.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="committee_members"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def sections(self) -> list[str]:
        return [s.strip().upper() for s in self.ksic_sections.split(",") if s.strip()]


class EvaluatorRelationship(models.Model):
    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment")
        SHAREHOLDING = "shareholding", _("Shareholding")
        ADVISORY = "advisory", _("Advisory")
        FAMILY = "family", _("Family")
        OTHER = "other", _("Other")

    evaluator = models.ForeignKey(EvaluatorProfile, on_delete=models.CASCADE, related_name="relationships")
    company = models.ForeignKey("registry.Company", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "company", "kind"], name="relationship_once")
        ]


class Conflict(models.Model):
    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the evaluator")
        DETECTED = "detected", _("Detected")

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="conflicts")
    evaluator = models.ForeignKey(EvaluatorProfile, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(max_length=10, choices=Source.choices)
    kind = models.CharField(max_length=30)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidacy", "evaluator"], name="conflict_once")]

    @property
    def reason_text(self) -> str:
        """A detected conflict's reason worded for the reader from its kind (an evaluator's own declaration is
        shown in their words)."""
        if self.source != self.Source.DETECTED:
            return self.reason
        if self.kind == "affiliation":
            return gettext("Affiliation matches the company")
        if self.kind in EvaluatorRelationship.Kind.values:
            label = EvaluatorRelationship.Kind(self.kind).label
            return gettext("Declared %(kind)s relationship") % {"kind": str(label).lower()}
        return self.reason


class Assignment(models.Model):
    class Source(models.TextChoices):
        SOLVER = "solver", _("Optimal assignment")
        MANUAL = "manual", _("Changed by hand")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(EvaluatorProfile, on_delete=models.PROTECT, related_name="assignments")
    affinity = models.FloatField(default=0.0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SOLVER)
    reason = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["candidacy_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "evaluator"],
                condition=models.Q(active=True),
                name="one_active_assignment",
            )
        ]
        indexes = [models.Index(fields=["evaluator", "active"]), models.Index(fields=["round", "active"])]


class AssignmentRun(models.Model):
    """One solve of a round's assignment, as recorded for the committee and the audit: the mode, and for a
    randomised one the cap, the seed (the same seed on the same data draws the same assignment), the expected
    affinity of the plan, the deterministic optimum and their ratio."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignment_runs")
    mode = models.CharField(max_length=15, choices=RoundSettings.AssignmentMode.choices)
    probability_cap = models.FloatField(null=True, blank=True)  # the cap used (randomised only)
    seed = models.BigIntegerField(null=True, blank=True)
    optimum = models.FloatField()  # the deterministic optimum of the instance solved
    expected_affinity = models.FloatField()  # = optimum when deterministic
    drawn_affinity = models.FloatField()  # total affinity of the pairs the solve chose
    pairs = models.PositiveIntegerField()
    fill_only = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def ratio(self) -> float:
        """Expected affinity over the deterministic optimum."""
        return self.expected_affinity / self.optimum if self.optimum > 0 else 1.0

    @property
    def ratio_percent(self) -> str:
        return f"{self.ratio * 100:.1f}%"


class Review(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    comment = models.TextField(blank=True)
    bonus_items = models.ManyToManyField(BonusItem, blank=True, related_name="+")
    total = models.FloatField(null=True, blank=True)  # weighted criteria (0–100) + bonus points
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["review_id", "criterion__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]


# --- Committee decision and publication ----------------------------------------------------------------------


class SelectionRun(models.Model):
    """One run of the selection optimiser (the latest is the round's current proposal)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="selection_runs")
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    feasible = models.BooleanField()
    selected_count = models.PositiveIntegerField(default=0)
    objective = models.FloatField(null=True, blank=True)
    diagnosis = models.JSONField(default=list, blank=True)  # [{"quota", "code", "constraints", "details"}]
    tie_break = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-run_at", "-id"]

    @property
    def diagnosis_texts(self) -> list[dict[str, str]]:
        """Why no selection exists, per diagnosis, in the reader's language: {"quota", "message"}."""
        return [diagnosis_text(d) for d in self.diagnosis or []]


class SelectionQuality(models.Model):
    """How sure a selection run is: reliability, evaluator calibration, uncertainty and weight sensitivity,
    computed by the run and only read by pages and reports. Per candidacy figures sit on `Candidacy`
    (`selection_probability`, the disagreement fields); per evaluator in `EvaluatorEffect`."""

    run = models.OneToOneField(SelectionRun, on_delete=models.CASCADE, related_name="quality")
    leniency = models.CharField(max_length=10, choices=RoundSettings.Leniency.choices)
    alpha = models.FloatField(null=True, blank=True)  # Krippendorff's alpha (interval), whole round
    alpha_units = models.PositiveIntegerField(default=0)
    alpha_note = models.CharField(max_length=300, blank=True)
    # [{"body": code, "alpha": float | None, "units": int, "note": str}, ...]
    alpha_by_body = models.JSONField(default=list, blank=True)
    effects_available = models.BooleanField(default=False)
    effects_note = models.CharField(max_length=300, blank=True)
    effects_sigma = models.FloatField(null=True, blank=True)
    effects_tau = models.FloatField(null=True, blank=True)
    effects_shrinkage = models.FloatField(null=True, blank=True)
    # The other setting's selection compared with this run's: candidacy ids entering and leaving
    leniency_enter = models.JSONField(default=list, blank=True)
    leniency_leave = models.JSONField(default=list, blank=True)
    draws = models.PositiveIntegerField(default=0)
    uncertain_count = models.PositiveIntegerField(default=0)  # probability between 10% and 90%
    flagged_count = models.PositiveIntegerField(default=0)
    # [{"criterion": key, "delta": ±10, "weights": {rubric: w}, "enter": [ids], "leave": [ids],
    #   "infeasible": [messages]}, ...]
    sensitivity = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0.0)


class EvaluatorEffect(models.Model):
    """One evaluator's estimated leniency in a selection run (programme office only)."""

    quality = models.ForeignKey(SelectionQuality, on_delete=models.CASCADE, related_name="effects")
    evaluator = models.ForeignKey(EvaluatorProfile, on_delete=models.CASCADE, related_name="+")
    n_reviews = models.PositiveIntegerField()
    effect = models.FloatField(null=True, blank=True)  # None: too few reviews
    se = models.FloatField(null=True, blank=True)
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["quality_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quality", "evaluator"], name="one_effect_per_evaluator")
        ]


class CommitteeDecision(models.Model):
    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="committee_decision")
    selection_run = models.ForeignKey(SelectionRun, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    note = models.TextField()


class Publication(models.Model):
    """The frozen result of a round. One per round (unique), rows never change after creation."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="publication")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    selected_count = models.PositiveIntegerField()


class PublishedSelection(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="rows")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    candidacy = models.OneToOneField(Candidacy, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    company_name = models.CharField(max_length=200)
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="+")
    bodies = models.CharField(max_length=200)  # every nominating body's code, comma-separated
    sector = models.CharField(max_length=50, blank=True)
    region = models.CharField(max_length=2, choices=Region.choices)
    rank = models.PositiveIntegerField()
    score = models.FloatField(null=True)

    class Meta:
        ordering = ["round_id", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "company"], name="published_once_per_round")]

    def save(self, *args: object, **kwargs: object) -> None:
        # Frozen: a published row is written once (by the publication service) and never updated.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("published selections are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("published selections are immutable")


class RoundBody(models.Model):
    """Who evaluates a nominating body's candidacies in a round: the FSC's central panel (no row, or
    `central`) or the body's own committee, which assigns its own evaluators, scores and decides its list."""

    class Evaluation(models.TextChoices):
        CENTRAL = "central", _("The FSC's central panel")
        BODY = "body", _("The body's own committee")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_bodies")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="+")
    evaluation = models.CharField(max_length=10, choices=Evaluation.choices, default=Evaluation.CENTRAL)
    decided_at = models.DateTimeField(null=True, blank=True)  # the committee's list, when it decided
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["round_id", "body__sort_order", "body_id"]
        constraints = [models.UniqueConstraint(fields=["round", "body"], name="round_body_once")]

    def __str__(self) -> str:
        return f"{self.round} · {self.body}"
