"""Forms of the half-yearly re-evaluation pages (`views_reevaluation`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nic1000.core.text import BoundedTextForm
from nic1000.designations.models import Membership, Reevaluation
from nic1000.designations.reevaluations import Ratings

INPUT = {"class": "krds-input"}
SELECT = {"class": "krds-form-select"}
RATING_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]


class PeriodOpenForm(BoundedTextForm):
    half = forms.CharField(
        label=_("Half-year"), max_length=6, widget=forms.TextInput(attrs={**INPUT, "placeholder": "2027H1"})
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput({"type": "date", **INPUT}))


class ReevaluationForm(BoundedTextForm):
    """Four ratings of 1–5, each with a comment, and the recommendation."""

    innovation_effort = forms.TypedChoiceField(
        label=_("Innovation effort"), choices=RATING_CHOICES, coerce=int, widget=forms.Select(attrs=SELECT)
    )
    innovation_effort_comment = forms.CharField(
        label=_("Comment on innovation effort"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    growth = forms.TypedChoiceField(
        label=_("Future growth"), choices=RATING_CHOICES, coerce=int, widget=forms.Select(attrs=SELECT)
    )
    growth_comment = forms.CharField(
        label=_("Comment on future growth"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )
    financial = forms.TypedChoiceField(
        label=_("Financial results"), choices=RATING_CHOICES, coerce=int, widget=forms.Select(attrs=SELECT)
    )
    financial_comment = forms.CharField(
        label=_("Comment on financial results"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    non_financial = forms.TypedChoiceField(
        label=_("Non-financial results"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.Select(attrs=SELECT),
    )
    non_financial_comment = forms.CharField(
        label=_("Comment on non-financial results"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Reevaluation.Recommendation.choices, widget=forms.RadioSelect
    )

    def ratings(self) -> Ratings:
        d: dict[str, Any] = self.cleaned_data
        return Ratings(
            **{n: d[n] for n in Reevaluation.RATINGS},
            **{f"{n}_comment": d[f"{n}_comment"] for n in Reevaluation.RATINGS},
        )


class DecisionForm(BoundedTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Reevaluation.Decision.CONTINUE, _("Continue the designation")),
            (Reevaluation.Decision.REMOVE, _("Remove the company")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Reason for a removal"),
        choices=[("", "—"), *Membership.RemovalReason.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(label=_("Decision note"), widget=forms.Textarea(attrs={**INPUT, "rows": 3}))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("decision") == Reevaluation.Decision.REMOVE and not data.get("reason"):
            self.add_error("reason", _("Choose a reason."))
        return data
