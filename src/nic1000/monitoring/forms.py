"""Input forms (parsing only; rules live in the services)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nic1000.accounts.models import User
from nic1000.core.roles import MONITORING_ACTORS
from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField
from nic1000.designations.models import Membership
from nic1000.monitoring.models import AlertLevel, CaseAction, Difficulty, MonthlySurvey
from nic1000.registry.models import FinancialStatement, Institution
from nic1000.registry.statement_items import ALL_ITEMS, NON_NEGATIVE_ITEMS

INPUT = {"class": "krds-input"}
SELECT = {"class": "krds-form-select"}


class PeriodForm(BoundedTextForm):
    period = forms.RegexField(
        label=_("Period (YYYY-MM)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "2026-05"}),
        error_messages={"invalid": _("Enter the period as YYYY-MM.")},
    )


class ResultFilterForm(BoundedTextForm):
    period = forms.CharField(required=False, label=_("Period"), widget=forms.TextInput(attrs=INPUT))
    level = forms.ChoiceField(
        required=False,
        label=_("Level"),
        choices=[("", "—"), *AlertLevel.choices],
        widget=forms.Select(attrs=SELECT),
    )
    q = forms.CharField(required=False, label=_("Company"), widget=forms.TextInput(attrs=INPUT))


class CaseFilterForm(BoundedTextForm):
    state = forms.ChoiceField(required=False, label=_("State"), widget=forms.Select(attrs=SELECT))
    q = forms.CharField(
        required=False, max_length=100, label=_("Company"), widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, states: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—"), *states.items()]  # type: ignore[attr-defined]


class MonthlySurveyForm(BoundedTextForm):
    period = forms.RegexField(
        label=_("Month (YYYY-MM)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs=INPUT),
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )
    support_status = forms.ChoiceField(
        label=_("Support status"),
        choices=MonthlySurvey.SupportStatus.choices,
        widget=forms.Select(attrs=SELECT),
    )
    financing_need = forms.IntegerField(
        label=_("Financing needed in the next 6 months (KRW)"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs=INPUT),
    )
    financing_plan = forms.CharField(
        label=_("Financing plans"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )
    needs_help = forms.BooleanField(label=_("We would like the support group to contact us"), required=False)


class DifficultySurveyForm(BoundedTextForm):
    half = forms.RegexField(
        label=_("Half-year (e.g. 2026H1)"),
        regex=r"^\d{4}H[12]$",
        widget=forms.TextInput(attrs=INPUT),
        error_messages={"invalid": _("Enter the half-year as 2026H1 or 2026H2.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction with the programme's support (1 = very low, 5 = very high)"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    difficulties = forms.MultipleChoiceField(
        label=_("Difficulties"),
        required=False,
        choices=Difficulty.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    improvements = forms.CharField(
        label=_("Improvements needed"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )


class ReviewForm(BoundedTextForm):
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )


class CaseAssignForm(BoundedTextForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(role__in=MONITORING_ACTORS, is_active=True),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )


class CaseActionForm(BoundedTextForm):
    kind = forms.ChoiceField(
        label=_("Action"), choices=CaseAction.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    institution = forms.ModelChoiceField(
        label=_("Lender (for a maturity-extension request)"),
        queryset=Institution.objects.all(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={**INPUT, "rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == CaseAction.Kind.MATURITY_EXTENSION and not data.get("institution"):
            self.add_error("institution", _("Choose the lender asked for the extension."))
        return data


class CaseTransitionForm(BoundedTextForm):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )


class RemovalForm(BoundedTextForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Membership.RemovalReason.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(label=_("Decision note"), widget=forms.Textarea(attrs={**INPUT, "rows": 3}))


def _statement_label(name: str) -> Any:
    """A statement item's label: the model field's lazily translated verbose name."""
    return getattr(FinancialStatement._meta.get_field(name), "verbose_name", name)


class StatementForm(BoundedTextForm):
    """Every statement item (docs/statement-items.md) as a whole-KRW integer."""

    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), min_value=1990, max_value=2100, widget=forms.NumberInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, _ko, _en, _neg in ALL_ITEMS:
            self.fields[name] = forms.IntegerField(
                label=_statement_label(name),  # in the reader's language
                min_value=0 if name in NON_NEGATIVE_ITEMS else None,
                max_value=10**17,
                widget=forms.NumberInput(attrs=INPUT),
            )


class StatementUploadForm(BoundedTextForm):
    file = LimitedFileField(label=_("Excel or CSV file (import template)"))


class BaseRateForm(BoundedTextForm):
    """The programme's base rate in percent (the service takes a fraction)."""

    base_rate_percent = forms.DecimalField(
        label=_("Programme base rate (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01", "inputmode": "decimal"}),
        help_text=_("The share of programme companies expected to fall into distress within a year."),
    )
    note = forms.CharField(
        label=_("Reason"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )


class CaseOpenForm(BoundedTextForm):
    """A support case opened by hand: the company by its registration number, the level, the reason, the
    due date (the service checks the company is designated and has no open case)."""

    company = forms.CharField(
        label=_("Company (business registration number)"),
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "123-45-67890", "inputmode": "numeric"}),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=AlertLevel.choices,
        initial=AlertLevel.WARNING,
        widget=forms.Select(attrs=SELECT),
    )
    summary = forms.CharField(
        label=_("Reason for opening"),
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
        help_text=_("What the group learned and why the company needs support."),
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
        help_text=_("Empty: the programme's usual number of days from today."),
    )


class SurveyFollowupForm(BoundedTextForm):
    """The month followed up (a month picker: YYYY-MM), the nominating body and a company search."""

    period = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.DateInput(attrs={**INPUT, "type": "month"}),
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )
    body = forms.ChoiceField(label=_("Nominating body"), required=False, widget=forms.Select(attrs=SELECT))
    q = forms.CharField(
        required=False, max_length=100, label=_("Company"), widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, bodies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "—"), *bodies]  # type: ignore[attr-defined]


class SurveyRemindForm(BoundedTextForm):
    period = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )
