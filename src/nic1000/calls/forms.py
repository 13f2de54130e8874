"""Forms of the call pages: input only; the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nic1000.calls.models import Call
from nic1000.calls.services import DOCUMENT_MAX_BYTES
from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField
from nic1000.rounds.models import Round

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallForm(BoundedTextForm):
    round = forms.ModelChoiceField(label=_("Round"), queryset=Round.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What the call is for"), widget=forms.Textarea, required=False)
    eligibility = forms.CharField(label=_("Who may apply"), widget=forms.Textarea, required=False)
    bonus = forms.CharField(label=_("Bonus items"), widget=forms.Textarea, required=False)
    required_documents = forms.CharField(
        label=_("Required documents (one per line)"), widget=forms.Textarea, required=False
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M"])
    closes_at = forms.DateTimeField(label=_("Closes"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M"])

    def __init__(self, *args: Any, rounds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields["round"].queryset = rounds  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["required_documents"] = data["required_documents"].splitlines()
        return data


class ApplyForm(BoundedTextForm):
    statement = forms.CharField(label=_("Why your company applies"), widget=forms.Textarea)

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = list(call.required_documents)
        for index, requirement in enumerate(self.requirements):
            self.fields[f"document_{index}"] = LimitedFileField(
                label=requirement, max_bytes=DOCUMENT_MAX_BYTES, required=False
            )

    def documents(self) -> dict[str, Any]:
        return {r: self.cleaned_data.get(f"document_{i}") for i, r in enumerate(self.requirements)}


class DecisionForm(BoundedTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept and nominate")), ("reject", _("Do not accept"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (sent to the company; required when not accepting)"),
        widget=forms.Textarea,
        required=False,
    )
