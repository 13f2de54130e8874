"""Appeal forms: parse and bound input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nic1000.appeals.documents import DOCUMENT_MAX_BYTES
from nic1000.appeals.models import DEFAULT_WINDOW_DAYS, DecisionKind
from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField

_DOCUMENT_HELP = _("PDF, PNG, JPEG or XLSX, up to 10 MB.")


class AppealForm(BoundedTextForm):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 8}))
    document = LimitedFileField(
        label=_("Supporting document"), required=False, max_bytes=DOCUMENT_MAX_BYTES, help_text=_DOCUMENT_HELP
    )


class DocumentForm(forms.Form):
    document = LimitedFileField(label=_("Document"), max_bytes=DOCUMENT_MAX_BYTES, help_text=_DOCUMENT_HELP)


class DecideForm(BoundedTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold the appeal")), ("dismiss", _("Dismiss the appeal"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 6}))


class WithdrawForm(BoundedTextForm):
    reason = forms.CharField(
        label=_("Why (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WindowForm(forms.Form):
    """One number of days per kind of decision."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in DecisionKind:
            self.fields[kind.value] = forms.IntegerField(
                label=kind.label,
                min_value=1,
                max_value=365,
                initial=current.get(kind.value, DEFAULT_WINDOW_DAYS),
                help_text=_("Days after the decision"),
            )
