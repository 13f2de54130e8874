"""Forms of the registry pages: list filters and the import upload. Parsing only, no business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nic1000.core.text import BoundedTextForm
from nic1000.core.uploads import LimitedFileField
from nic1000.registry.regions import Region

KSIC_SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"

# Size bands by employees (the selector's `size` values).
SIZE_CHOICES = [
    ("", _("All sizes")),
    ("micro", _("Under 10 employees")),
    ("small", _("10–49 employees")),
    ("medium", _("50–299 employees")),
    ("large", _("300 or more employees")),
]
PAGE_SIZES = (20, 50, 100)


def ksic_section_choices() -> list[tuple[str, Any]]:
    from nic1000.registry.models import KsicCode

    sections = KsicCode.objects.filter(level=1).order_by("code").values_list("code", "name")
    return [("", _("All sections"))] + [(code, f"{code} {name}") for code, name in sections]


class CompanyFilterForm(BoundedTextForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "krds-input", "type": "search", "placeholder": _("Name or BRN")}
        ),
    )
    ksic_section = forms.ChoiceField(
        label=_("KSIC section"), required=False, widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All regions")), *Region.choices],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    size = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=SIZE_CHOICES,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    sme = forms.ChoiceField(
        label=_("SME"),
        required=False,
        choices=[("", _("All")), ("yes", _("SMEs")), ("no", _("Non-SMEs"))],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    page_size = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],  # type: ignore[arg-type]
        choices=[(n, str(n)) for n in PAGE_SIZES],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ksic_section"].choices = ksic_section_choices()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments (invalid values are dropped, never an error page)."""
        data = self.cleaned_data if self.is_valid() else {}
        sme = {"yes": True, "no": False}.get(data.get("sme") or "")
        return {
            "q": (data.get("q") or "").strip(),
            "ksic_section": data.get("ksic_section") or "",
            "region": data.get("region") or "",
            "size": data.get("size") or "",
            "sme": sme,
        }

    def display_fields(self) -> list[dict[str, Any]]:
        """Name, label, current value and options (value, label, selected) of each filter, for a template that
        writes the inputs itself (no per-option widget templates)."""
        out: list[dict[str, Any]] = []
        for name, field in self.fields.items():
            raw = self.data.get(name, "") if self.is_bound else ""
            if name == "q":
                placeholder = field.widget.attrs.get("placeholder", "")
                out.append({"name": name, "label": field.label, "value": raw, "options": None,
                            "placeholder": placeholder})  # fmt: skip
                continue
            choices = getattr(field, "choices", [])
            options = [(str(v), label, str(v) == str(raw)) for v, label in choices]
            out.append({"name": name, "label": field.label, "value": raw, "options": options})
        return out

    def rows_per_page(self) -> int:
        if self.is_valid() and self.cleaned_data.get("page_size") in PAGE_SIZES:
            return int(self.cleaned_data["page_size"])
        return PAGE_SIZES[0]


class ImportForm(BoundedTextForm):
    kind = forms.ChoiceField(
        label=_("What to import"), widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    file = LimitedFileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "krds-input", "accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"),
        required=False,
        help_text=_("Checks every row and shows the problems without changing the registry."),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
