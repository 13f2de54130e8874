"""Forms parse and check input shape only; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField
from nic1000.core.workflow import Label
from nic1000.finance.models import Application, Product, Purpose
from nic1000.registry.models import Institution

MAX_KRW = 10**15


def _krw(label: Label, required: bool = True, help_text: Label = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1 if required else 0,
        max_value=MAX_KRW,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "krds-input", "step": "1"}),
    )


def _date(label: Label, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date", "class": "krds-input"})
    )


def _text(label: Label, required: bool = True, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3}),
    )


class FiguresForm(BoundedTextForm):
    estimated_sales = _krw(
        _("Estimated sales for this year (KRW)"),
        required=False,
        help_text=_("Leave empty to use the sales of your latest financial statement."),
    )
    export_performance = _krw(
        _("Export performance (KRW)"), required=False, help_text=_("Needed for export financing.")
    )


class ApplyForm(FiguresForm):
    channel = forms.ChoiceField(
        label=_("Where to apply"),
        choices=Application.Channel.choices,
        initial=Application.Channel.CENTER,
        widget=forms.RadioSelect,
    )
    purpose = forms.ChoiceField(
        label=_("What the money is for"),
        choices=Purpose.choices,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    product = forms.ModelChoiceField(
        label=_("Product (when applying directly)"),
        queryset=Product.objects.filter(active=True).select_related("institution"),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    amount = _krw(_("Amount needed (KRW)"))
    needed_by = _date(_("Needed by"), required=False)
    note = _text(_("What the money will do"), required=False)

    field_order = [
        "channel",
        "purpose",
        "product",
        "amount",
        "needed_by",
        "estimated_sales",
        "export_performance",
        "note",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Application.Channel.DIRECT and not data.get("product"):
            self.add_error("product", _("Choose a product when you apply directly."))
        return data


class ApproveForm(BoundedTextForm):
    amount = _krw(_("Approved amount (KRW)"))
    rate_pct = forms.DecimalField(
        label=_("Interest rate (%)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("30"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "krds-input", "step": "0.01"}),
    )
    guarantee_ratio_pct = forms.DecimalField(
        label=_("Guarantee ratio (%)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "krds-input", "step": "0.01"}),
    )
    maturity_months = forms.IntegerField(
        label=_("Maturity (months)"),
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "krds-input"}),
    )


class ReasonForm(BoundedTextForm):
    reason = _text(_("Reason"))


class RequestInfoForm(BoundedTextForm):
    reason = _text(_("What information is needed"))


class ReplyForm(BoundedTextForm):
    reply = _text(_("Your answer"))


class WithdrawForm(BoundedTextForm):
    reason = _text(_("Reason (optional)"), required=False)


class EmptyForm(BoundedTextForm):
    pass


class TransferForm(BoundedTextForm):
    institution = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Institution.objects.all(),
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    reason = _text(_("Reason"))


class DisbursementForm(BoundedTextForm):
    amount = _krw(_("Amount paid out (KRW)"))
    on = _date(_("Date"))
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "krds-input"}),
    )


class RepaymentForm(BoundedTextForm):
    amount = _krw(_("Amount repaid (KRW)"))
    on = _date(_("Date"))


class TokenForm(BoundedTextForm):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.all(),
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    name = forms.CharField(
        label=_("Name (which system uses it)"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "krds-input"}),
    )


class ListFilterForm(BoundedTextForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )

    def __init__(self, *args: Any, states: dict[str, Label], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—"), *states.items()]  # type: ignore[attr-defined]


class DocumentForm(BoundedTextForm):
    """One file; its size is checked here, its type by the service from its content."""

    file = LimitedFileField(
        label=_("Document (PDF, image, Excel, Word or HWP)"),
        max_bytes=0,  # set per request from FINANCE_DOCUMENT_MAX_BYTES
        widget=forms.ClearableFileInput(attrs={"class": "krds-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].max_bytes = int(settings.FINANCE_DOCUMENT_MAX_BYTES)  # type: ignore[attr-defined]


class BookFilterForm(BoundedTextForm):
    q = forms.CharField(
        label=_("Company or BRN"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "krds-input", "type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    due = forms.ChoiceField(
        label=_("Due"), required=False, widget=forms.Select(attrs={"class": "krds-form-select"})
    )

    def __init__(
        self,
        *args: Any,
        states: dict[str, Label],
        institution_id: int,
        due_choices: list[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—"), *states.items()]  # type: ignore[attr-defined]
        self.fields["due"].choices = due_choices  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(  # type: ignore[attr-defined]
            institution_id=institution_id
        )
