"""Forms of a company's own record (profile, patents, technologies). Parsing only: the values go as given to
`registry.profile`, which reads them with the registry's field rules and names the field of each problem."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import Model

from nic1000.core.text import BoundedTextForm
from nic1000.registry.models import Company, CoreTechnology, Patent
from nic1000.registry.regions import Region

INPUT = {"class": "krds-input"}
SELECT = {"class": "krds-form-select"}
TEXTAREA = {"class": "krds-input", "rows": "3"}
DATE = {"class": "krds-input", "type": "date"}

# (name, required, widget kind) in the order the form shows them.
COMPANY_SPEC = (
    ("name_ko", True, "text"), ("name_en", False, "text"), ("ksic", True, "text"), ("region", True, "region"),
    ("address", False, "text"), ("founded_on", True, "date"), ("employees", False, "number"),
    ("website", False, "text"), ("representative", False, "text"),
)  # fmt: skip
PATENT_SPEC = (
    ("application_number", True, "text"), ("registration_number", False, "text"), ("title", True, "text"),
    ("abstract", False, "area"), ("ipc_classes", False, "text"), ("cpc_classes", False, "text"),
    ("filed_on", True, "date"), ("granted_on", False, "date"), ("status", False, "status"),
    ("claims", False, "number"), ("family_size", False, "number"), ("forward_citations", False, "number"),
    ("backward_citations", False, "number"),
)  # fmt: skip
TECHNOLOGY_SPEC = (
    ("name", True, "text"), ("description", False, "area"), ("keywords", False, "text"), ("trl", True, "trl"),
)  # fmt: skip


def _field(model: type[Model], name: str, required: bool, kind: str) -> forms.Field:
    model_field = model._meta.get_field("ksic_id" if name == "ksic" else name)
    assert isinstance(model_field, models.Field)  # the record's fields are concrete
    label = model_field.verbose_name
    if kind == "region":
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *Region.choices],
                                 widget=forms.Select(attrs=SELECT))  # fmt: skip
    if kind == "status":
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *Patent.Status.choices],
                                 widget=forms.Select(attrs=SELECT))  # fmt: skip
    if kind == "trl":
        return forms.ChoiceField(label=label, required=required, choices=[(str(i), str(i)) for i in range(1, 10)],
                                 widget=forms.Select(attrs=SELECT))  # fmt: skip
    widgets = {
        "area": forms.Textarea(attrs=TEXTAREA),
        "date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        "number": forms.NumberInput(attrs={**INPUT, "min": "0"}),
    }
    return forms.CharField(
        label=label, required=required, widget=widgets.get(kind, forms.TextInput(attrs=INPUT))
    )


class _SpecForm(BoundedTextForm):
    model: type[Model]
    spec: tuple[tuple[str, bool, str], ...]

    def __init__(self, *args: Any, instance: Model | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: _initial(instance, name) for name, _r, _k in self.spec}
        super().__init__(*args, **kwargs)
        for name, required, kind in self.spec:
            self.fields[name] = _field(self.model, name, required, kind)

    def values(self) -> dict[str, Any]:
        """What was typed, as text ("" for an emptied field): the service reads it."""
        return {name: self.cleaned_data.get(name) or "" for name, _r, _k in self.spec}


def _initial(instance: Model, name: str) -> Any:
    if name == "ksic":
        return getattr(instance, "ksic_id", "")
    value = getattr(instance, name)
    return "" if value is None else value


class CompanyProfileForm(_SpecForm):
    model = Company
    spec = COMPANY_SPEC


class PatentForm(_SpecForm):
    model = Patent
    spec = PATENT_SPEC


class TechnologyForm(_SpecForm):
    model = CoreTechnology
    spec = TECHNOLOGY_SPEC
