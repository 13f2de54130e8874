"""Forms parse input only; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from nic1000.core.errors import ApplicationError
from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField
from nic1000.registry.fields import COMPANY_FIELDS
from nic1000.registry.models import Body
from nic1000.registry.regions import Region
from nic1000.rounds.models import (
    Candidacy,
    Criterion,
    EligibilityRule,
    EvaluatorRelationship,
    Program,
    Quota,
    RoundSettings,
)
from nic1000.rounds.refills import DefaultQuotas
from nic1000.rounds.services.nominations import EVIDENCE_MAX_BYTES
from nic1000.rounds.services.reviews import ScoreInput
from nic1000.rounds.services.setup import CriterionInput, QuotaInput
from nic1000.rounds.workflows import PAGE_TRANSITIONS

INPUT = {"class": "krds-input"}
SELECT = {"class": "krds-form-select"}
AREA = {"class": "krds-input", "rows": 3}


class ProgramForm(BoundedTextForm):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200, widget=forms.TextInput(INPUT))
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, widget=forms.TextInput(INPUT))
    target_companies = forms.IntegerField(
        label=_("Target companies"), min_value=1, initial=1000, widget=forms.NumberInput(INPUT)
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput({"type": "date", **INPUT}))
    designation_years = forms.IntegerField(
        label=_("Designation period (years)"),
        min_value=1,
        max_value=10,
        initial=3,
        widget=forms.NumberInput(INPUT),
    )
    bodies = forms.ModelMultipleChoiceField(
        label=_("Participating bodies"),
        queryset=Body.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProgramSettingsForm(BoundedTextForm):
    """The programme's target and designation period (the programme page)."""

    target_companies = forms.IntegerField(
        label=_("Target of designated companies"), min_value=1, widget=forms.NumberInput(INPUT)
    )
    designation_years = forms.IntegerField(
        label=_("Designation period (years)"), min_value=1, max_value=10, widget=forms.NumberInput(INPUT)
    )


class RoundForm(BoundedTextForm):
    program = forms.ModelChoiceField(
        label=_("Programme"), queryset=Program.objects.all(), widget=forms.Select(SELECT)
    )
    number = forms.IntegerField(label=_("Round number"), min_value=1, widget=forms.NumberInput(INPUT))
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(INPUT))
    nominations_close_at = forms.DateTimeField(
        label=_("Nominations close at"),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local", **INPUT}),
    )
    scoring_deadline = forms.DateTimeField(
        label=_("Scoring deadline"),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local", **INPUT}),
    )


class SettingsForm(BoundedTextForm):
    reviews_per_candidacy = forms.IntegerField(
        label=_("Evaluators per candidacy"), min_value=1, max_value=9, widget=forms.NumberInput(INPUT)
    )
    load_min = forms.IntegerField(
        label=_("Minimum reviews per evaluator"), min_value=0, widget=forms.NumberInput(INPUT)
    )
    load_max = forms.IntegerField(
        label=_("Maximum reviews per evaluator"), min_value=1, widget=forms.NumberInput(INPUT)
    )
    score_min = forms.IntegerField(
        label=_("Lowest score"), min_value=0, max_value=10, widget=forms.NumberInput(INPUT)
    )
    score_max = forms.IntegerField(
        label=_("Highest score"), min_value=1, max_value=10, widget=forms.NumberInput(INPUT)
    )
    aggregation = forms.ChoiceField(
        label=_("Aggregation"), choices=RoundSettings.Aggregation.choices, widget=forms.Select(SELECT)
    )
    disagreement_threshold = forms.FloatField(
        label=_("Disagreement flag above (spread, points)"), min_value=0, widget=forms.NumberInput(INPUT)
    )
    leniency = forms.ChoiceField(
        label=_("Evaluator calibration"),
        choices=RoundSettings.Leniency.choices,
        required=False,
        widget=forms.Select(SELECT),
        help_text=_(
            "Adjusted: each evaluator's estimated leniency (from all of their reviews, shrunk towards zero for "
            "evaluators with few reviews) is taken off their totals before averaging. The evaluator effects "
            "page shows what switching would change."
        ),
    )
    assignment_mode = forms.ChoiceField(
        label=_("Assignment of evaluators"),
        choices=RoundSettings.AssignmentMode.choices,
        widget=forms.Select(SELECT),
        help_text=_(
            "Randomised: the assignment is drawn so that no evaluator gets any one company with a probability"
            " above q, which makes lobbying for a company futile (Jecmen et al. 2020)."
        ),
    )
    probability_cap = forms.FloatField(
        label=_("Probability cap q per evaluator and candidacy"),
        min_value=0.01,
        max_value=1.0,
        widget=forms.NumberInput({"step": "0.01", **INPUT}),
        help_text=_("Between 0.01 and 1; used by the randomised assignment only."),
    )
    scoring_deadline = forms.DateTimeField(
        label=_("Scoring deadline"),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local", **INPUT}, format="%Y-%m-%dT%H:%M"),
    )
    rule_credit_delinquency = forms.BooleanField(
        label=_("Exclude credit delinquency in the last fiscal year"), required=False
    )
    rule_capital_impairment = forms.BooleanField(
        label=_("Exclude full capital impairment in the last fiscal year"), required=False
    )

    def clean_leniency(self) -> str:
        return str(self.cleaned_data.get("leniency") or RoundSettings.Leniency.RAW)

    def settings(self) -> dict[str, Any]:
        """The settings and the scoring deadline, keyed as `round_settings_update` takes them."""
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("rule_")}

    def rules(self) -> dict[str, bool]:
        """The round's own eligibility rules: kind → on/off."""
        return {
            EligibilityRule.Kind.CREDIT_DELINQUENCY: self.cleaned_data["rule_credit_delinquency"],
            EligibilityRule.Kind.CAPITAL_IMPAIRMENT: self.cleaned_data["rule_capital_impairment"],
        }


class TransitionForm(BoundedTextForm):
    """A step of the round fired from its page (anything else is not a page's step: 404)."""

    transition = forms.ChoiceField(label=_("Step"), choices=[(name, name) for name in PAGE_TRANSITIONS])
    reason = forms.CharField(label=_("Reason"), required=False)


class BonusItemForm(BoundedTextForm):
    name = forms.CharField(label=_("Bonus item"), max_length=200, widget=forms.TextInput(INPUT))
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=20, widget=forms.NumberInput(INPUT))


class CriteriaForm(BoundedTextForm):
    """One row per criterion: key, name, weight and the rubric (one line per level, 'level: text')."""

    def __init__(self, *args: Any, current: Sequence[Criterion] = (), **kwargs: Any) -> None:
        """One row per current criterion (filled in) and at least two empty rows, six at the least."""
        initial: dict[str, Any] = {}
        for i, c in enumerate(current):
            initial[f"key_{i}"], initial[f"name_{i}"], initial[f"weight_{i}"] = c.key, c.name_ko, c.weight
            initial[f"rubric_{i}"] = "\n".join(f"{k}: {v}" for k, v in sorted(c.rubric.items()))
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.rows = max(len(current) + 2, 6)
        for i in range(self.rows):
            self.fields[f"key_{i}"] = forms.SlugField(
                label=_("Key"), required=False, widget=forms.TextInput(INPUT)
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Criterion"), required=False, widget=forms.TextInput(INPUT)
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                label=_("Weight"), required=False, min_value=0, max_value=100, widget=forms.NumberInput(INPUT)
            )
            self.fields[f"rubric_{i}"] = forms.CharField(
                label=_("Rubric (one line per level, '5: text')"), required=False, widget=forms.Textarea(AREA)
            )

    def row_fields(self) -> list[list[Any]]:
        return [
            [self[f"key_{i}"], self[f"name_{i}"], self[f"weight_{i}"], self[f"rubric_{i}"]]
            for i in range(self.rows)
        ]

    def items(self) -> list[dict[str, Any]]:
        """The filled rows, each with its form row number (`row`)."""
        out = []
        for i in range(self.rows):
            key = self.cleaned_data.get(f"key_{i}") or ""
            name = self.cleaned_data.get(f"name_{i}") or ""
            if not key and not name:
                continue
            rubric: dict[str, str] = {}
            for line in (self.cleaned_data.get(f"rubric_{i}") or "").splitlines():
                if ":" in line:
                    level, text = line.split(":", 1)
                    rubric[level.strip()] = text.strip()
            out.append(
                {
                    "key": key or f"c{i + 1}",
                    "name_ko": name,
                    "weight": self.cleaned_data.get(f"weight_{i}") or 0,
                    "rubric": rubric,
                    "row": i,
                }
            )
        return out

    def criteria(self) -> list[CriterionInput]:
        return [
            CriterionInput(key=i["key"], name_ko=i["name_ko"], weight=i["weight"], rubric=i["rubric"])
            for i in self.items()
        ]

    def add_service_error(self, exc: ApplicationError) -> None:
        """Show the service's problems on the cells they name (its rows count the filled rows only)."""
        row_of = {n: i["row"] for n, i in enumerate(self.items())}
        for d in exc.details:
            name = f"{d.field}_{row_of.get(d.row, d.row)}" if d.row is not None else ""
            if name in self.fields:
                self.add_error(name, d.message)
            else:
                self.add_error(None, d.message or exc.message)


class QuotaForm(BoundedTextForm):
    """Total, per body (one pair of fields per participating body) and per sector (lines 'key,min,max')."""

    def __init__(
        self,
        *args: Any,
        body_codes: Sequence[str] = (),
        current: Sequence[Quota] = (),
        defaults: DefaultQuotas | None = None,
        **kwargs: Any,
    ) -> None:
        """`defaults` (the target's new places per body and the vacancies) fill a round without quotas yet."""
        kwargs["initial"] = (
            self._initial(current) if current or defaults is None else self._defaults(defaults)
        )
        super().__init__(*args, **kwargs)
        self.body_codes = list(body_codes)
        self.fields["total_min"] = forms.IntegerField(
            label=_("Total: minimum"), required=False, min_value=0, widget=forms.NumberInput(INPUT)
        )
        self.fields["total_max"] = forms.IntegerField(
            label=_("Total: maximum"), required=False, min_value=0, widget=forms.NumberInput(INPUT)
        )
        for code in self.body_codes:
            self.fields[f"body_{code}_min"] = forms.IntegerField(
                label=format_lazy("{} {}", code, _("Minimum")),
                required=False,
                min_value=0,
                widget=forms.NumberInput(INPUT),
            )
            self.fields[f"body_{code}_max"] = forms.IntegerField(
                label=format_lazy("{} {}", code, _("Maximum")),
                required=False,
                min_value=0,
                widget=forms.NumberInput(INPUT),
            )
            self.fields[f"body_{code}_refill"] = forms.IntegerField(
                label=format_lazy("{} {}", code, _("Places to refill")),
                required=False,
                min_value=0,
                widget=forms.NumberInput(INPUT),
            )
        self.fields["sectors"] = forms.CharField(
            label=_("Per sector (one line each: sector,min,max; leave a bound empty for none)"),
            required=False,
            widget=forms.Textarea(AREA),
        )

    @staticmethod
    def _initial(current: Sequence[Quota]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        sector_lines = []
        for q in current:
            if q.family == Quota.Family.TOTAL:
                initial["total_min"], initial["total_max"] = q.min_count, q.max_count
            elif q.family == Quota.Family.BODY:
                initial[f"body_{q.key}_min"], initial[f"body_{q.key}_max"] = q.min_count, q.max_count
                initial[f"body_{q.key}_refill"] = q.refill or None
            else:
                lo = "" if q.min_count is None else q.min_count
                hi = "" if q.max_count is None else q.max_count
                sector_lines.append(f"{q.key},{lo},{hi}")
        initial["sectors"] = "\n".join(sector_lines)
        return initial

    @staticmethod
    def _defaults(d: DefaultQuotas) -> dict[str, Any]:
        initial: dict[str, Any] = {"total_max": d.new_places}
        for code, n in d.per_body.items():
            initial[f"body_{code}_max"] = n
        for code, n in d.refills.items():
            initial[f"body_{code}_refill"] = n
        return initial

    def quotas(self) -> list[QuotaInput]:
        """The quotas given: the total, each body with a bound, each sector line."""
        d = self.cleaned_data
        rows = []
        if d.get("total_min") is not None or d.get("total_max") is not None:
            rows.append(QuotaInput(Quota.Family.TOTAL, "", d.get("total_min"), d.get("total_max")))
        for code in self.body_codes:
            lo, hi, refill = (
                d.get(f"body_{code}_min"),
                d.get(f"body_{code}_max"),
                d.get(f"body_{code}_refill"),
            )
            if lo is not None or hi is not None or refill:
                rows.append(QuotaInput(Quota.Family.BODY, code, lo, hi, refill or 0))
        return rows + [QuotaInput(Quota.Family.SECTOR, key, lo, hi) for key, lo, hi in d["sectors"]]

    def body_rows(self) -> list[tuple[str, Any, Any, Any]]:
        return [
            (code, self[f"body_{code}_min"], self[f"body_{code}_max"], self[f"body_{code}_refill"])
            for code in self.body_codes
        ]

    def clean_sectors(self) -> list[tuple[str, int | None, int | None]]:
        rows = []
        for n, line in enumerate((self.cleaned_data.get("sectors") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3 or not parts[0]:
                raise forms.ValidationError(_("Line %(n)d: write sector,min,max") % {"n": n})
            try:
                lo = int(parts[1]) if parts[1] else None
                hi = int(parts[2]) if parts[2] else None
            except ValueError:
                raise forms.ValidationError(_("Line %(n)d: bounds are whole numbers") % {"n": n}) from None
            rows.append((parts[0], lo, hi))
        return rows


class NominationForm(BoundedTextForm):
    """A registry company by its number, or a new company (its fields go to the registry's service, which
    validates them: check digit, KSIC sub-class, region, dates, counts, web address)."""

    REGISTRY, NEW = "registry", "new"
    COMPANY_FIELDS = (
        "name_ko", "name_en", "ksic", "region", "founded_on", "employees", "is_sme", "is_listed", "website",
    )  # fmt: skip

    source = forms.ChoiceField(
        label=_("The company"),
        choices=[(REGISTRY, _("A company in the registry")), (NEW, _("A new company: register it now"))],
        required=False,
        initial=REGISTRY,
        widget=forms.RadioSelect,
    )
    brn = forms.CharField(
        label=_("Business registration number"),
        max_length=12,
        widget=forms.TextInput({**INPUT, "placeholder": "123-45-67890"}),
    )
    # Required, but checked by the service so that its error shows with the new company's problems at once.
    reason = forms.CharField(
        label=_("Reason for the nomination"), required=False, widget=forms.Textarea(AREA)
    )
    evidence = forms.CharField(
        label=_("Evidence (links, references)"), required=False, widget=forms.Textarea(AREA)
    )
    evidence_file = LimitedFileField(
        label=_("Evidence file (optional)"), required=False, max_bytes=EVIDENCE_MAX_BYTES
    )
    # A new company (only with source "new"): parsed here, validated by registry.services.
    name_ko = forms.CharField(
        label=_("Company name (Korean)"), required=False, max_length=200, widget=forms.TextInput(INPUT)
    )
    name_en = forms.CharField(
        label=_("Company name (English, optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(INPUT),
    )
    ksic = forms.CharField(
        label=_("KSIC code (5-digit sub-class, e.g. 26112)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(INPUT),
    )
    region = forms.ChoiceField(
        label=_("Region (province or metropolitan city)"),
        required=False,
        choices=[("", "—"), *Region.choices],
        widget=forms.Select(SELECT),
    )
    founded_on = forms.CharField(
        label=_("Founded on"), required=False, widget=forms.TextInput({"type": "date", **INPUT})
    )
    employees = forms.CharField(
        label=_("Employees"), required=False, max_length=12, widget=forms.TextInput(INPUT)
    )
    is_sme = forms.BooleanField(label=_("SME"), required=False, initial=True)
    is_listed = forms.BooleanField(label=_("Listed"), required=False)
    website = forms.CharField(
        label=_("Website"), required=False, max_length=200, widget=forms.TextInput(INPUT)
    )

    def clean_brn(self) -> str:
        return "".join(ch for ch in self.cleaned_data["brn"] if ch.isdigit())

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or self.REGISTRY

    def company_fields(self) -> dict[str, Any]:
        """The new company's fields, keyed as `registry.services.company_create` takes them."""
        d = self.cleaned_data
        return {"brn": d["brn"], **{name: d.get(name) for name in self.COMPANY_FIELDS}}

    def new_company_rows(self) -> list[tuple[Any, bool]]:
        """(bound field, required for a new company) per new-company field; the registry says what is required."""
        required = {c.name for c in COMPANY_FIELDS if c.required}
        return [(self[name], name in required) for name in self.COMPANY_FIELDS]


class BodyRulesForm(BoundedTextForm):
    """Each nominating body's own eligibility rules: as the round's, on, or off for the companies it nominates."""

    CHOICES = [("", _("As the round")), ("on", _("Applies")), ("off", _("Does not apply"))]

    def __init__(self, *args: Any, bodies: list[Any], kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies, self.kinds = bodies, kinds
        for body in bodies:
            for kind, label in kinds:
                self.fields[f"{body.code}__{kind}"] = forms.ChoiceField(
                    label=f"{body.name_ko}: {label}", choices=self.CHOICES, required=False,
                    widget=forms.Select(SELECT),
                )  # fmt: skip

    def rows(self) -> list[tuple[Any, list[Any]]]:
        return [(body, [self[f"{body.code}__{kind}"] for kind, _label in self.kinds]) for body in self.bodies]

    def rules(self) -> list[tuple[Any, str, bool | None]]:
        value = {"": None, "on": True, "off": False}
        return [
            (body, kind, value[self.cleaned_data[f"{body.code}__{kind}"]])
            for body in self.bodies
            for kind, _label in self.kinds
        ]


class NominationEditForm(BoundedTextForm):
    """A nomination's own words and evidence, changed while nominations are open (the company stays)."""

    reason = forms.CharField(
        label=_("Reason for the nomination"), required=False, widget=forms.Textarea(AREA)
    )
    evidence = forms.CharField(
        label=_("Evidence (links, references)"), required=False, widget=forms.Textarea(AREA)
    )
    evidence_file = LimitedFileField(
        label=_("New evidence file (optional; replaces the current one)"),
        required=False,
        max_bytes=EVIDENCE_MAX_BYTES,
    )


class OverrideForm(BoundedTextForm):
    eligible = forms.TypedChoiceField(
        label=_("Eligibility"),
        choices=[("1", _("Eligible")), ("0", _("Not eligible"))],
        coerce=lambda v: v == "1",
        widget=forms.Select(SELECT),
    )
    reason = forms.CharField(label=_("Reason for the override"), widget=forms.Textarea(AREA))


class EvaluatorProfileForm(BoundedTextForm):
    affiliation = forms.CharField(
        label=_("Affiliation"), required=False, max_length=200, widget=forms.TextInput(INPUT)
    )
    ksic_sections = forms.CharField(
        label=_("KSIC sections of expertise (e.g. C,J)"),
        required=False,
        max_length=50,
        widget=forms.TextInput(INPUT),
    )
    keywords = forms.CharField(
        label=_("Technology keywords"), required=False, max_length=500, widget=forms.TextInput(INPUT)
    )
    expertise = forms.CharField(label=_("Expertise (free text)"), required=False, widget=forms.Textarea(AREA))


class RelationshipForm(BoundedTextForm):
    brn = forms.CharField(
        label=_("Company's business registration number"), max_length=12, widget=forms.TextInput(INPUT)
    )
    kind = forms.ChoiceField(
        label=_("Relationship"), choices=EvaluatorRelationship.Kind.choices, widget=forms.Select(SELECT)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.TextInput(INPUT))

    def clean_brn(self) -> str:
        return "".join(ch for ch in self.cleaned_data["brn"] if ch.isdigit())


class ReasonForm(BoundedTextForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(AREA))


class OpenFileForm(BoundedTextForm):
    """The evaluator states there is no conflict of interest before the company's file opens."""

    no_conflict = forms.BooleanField(
        label=_(
            "I have no conflict of interest with this company (no employment, shares, advice or family ties)."
        ),
        required=True,
    )


class AssignmentChangeForm(BoundedTextForm):
    candidacy = forms.IntegerField(widget=forms.HiddenInput)
    add_evaluator = forms.IntegerField(label=_("Add evaluator"), required=False, widget=forms.Select(SELECT))
    remove = forms.IntegerField(label=_("End assignment"), required=False, widget=forms.Select(SELECT))
    reason = forms.CharField(label=_("Reason"), widget=forms.TextInput(INPUT))


class ForceForm(BoundedTextForm):
    forced = forms.ChoiceField(
        label=_("Committee override"),
        choices=Candidacy.Forced.choices,
        required=False,
        widget=forms.Select(SELECT),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.TextInput(INPUT))


class DecisionForm(BoundedTextForm):
    note = forms.CharField(label=_("Committee decision (minutes, note)"), widget=forms.Textarea(AREA))


class DecisionWithdrawForm(BoundedTextForm):
    reason = forms.CharField(label=_("Reason for withdrawing the decision"), widget=forms.TextInput(INPUT))


class ReviewForm(BoundedTextForm):
    """Scores per criterion (choices on the round's scale), comments, bonus items."""

    def __init__(
        self, *args: Any, criteria: list[Any], scale: range, bonus_items: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        choices = [("", "—")] + [(str(v), str(v)) for v in scale]
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=c.name_ko,
                choices=choices,
                required=False,
                coerce=int,
                empty_value=None,
                widget=forms.Select(SELECT),
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.TextInput(INPUT)
            )
        self.fields["bonus_items"] = forms.MultipleChoiceField(
            label=_("Bonus items that apply"),
            required=False,
            choices=[(str(b.pk), str(b)) for b in bonus_items],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["comment"] = forms.CharField(
            label=_("Overall comment"), required=False, widget=forms.Textarea(AREA)
        )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, ScoreInput]:
        """Criterion id → the score given (None when left empty) and its comment."""
        d = self.cleaned_data
        return {
            c.pk: ScoreInput(score=d.get(f"score_{c.pk}"), comment=d.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }

    def bonus_item_ids(self) -> list[int]:
        return [int(x) for x in self.cleaned_data.get("bonus_items", [])]


def _body_choices() -> list[tuple[str, Any]]:
    bodies = Body.objects.filter(active=True).exclude(kind=Body.Kind.FSC).order_by("code")
    return [("", _("All bodies")), *((b.code, b.code) for b in bodies)]


class NominationFilterForm(BoundedTextForm):
    """The nomination list's filters (the body only for readers of every body)."""

    q = forms.CharField(label=_("Company"), required=False, max_length=100, widget=forms.TextInput(INPUT))
    body = forms.ChoiceField(label=_("Body"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, all_bodies: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if all_bodies:
            self.fields["body"].choices = _body_choices()  # type: ignore[attr-defined]
        else:
            del self.fields["body"]

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"q": (data.get("q") or "").strip(), "body_code": data.get("body") or ""}


class CandidacyFilterForm(NominationFilterForm):
    eligible = forms.ChoiceField(
        label=_("Eligibility"),
        required=False,
        choices=[("", "—"), ("yes", _("Eligible")), ("no", _("Not eligible"))],
        widget=forms.Select(attrs=SELECT),
    )

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {**super().filters(), "eligible": data.get("eligible") or ""}
