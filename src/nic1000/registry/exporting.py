"""Registry exports: one XLSX with sheets for companies, patents, technologies and statements (the import
template's columns, so an export can be edited and imported back), or one CSV per kind.

Text cells are neutralised against formula injection (core.excel); amounts are numbers with a KRW format;
BRNs are written XXX-XX-XXXXX.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.errors import Forbidden
from nic1000.core.excel import DATE_FORMAT, KRW_FORMAT, Sheet, csv_write, xlsx_write
from nic1000.core.identifiers import brn_format
from nic1000.registry.fields import KINDS, fields_of
from nic1000.registry.importing.template import sheet_title
from nic1000.registry.models import Company, CoreTechnology, FinancialStatement, Patent
from nic1000.registry.regions import REGION_SHORT_KO
from nic1000.registry.selectors import companies_visible, registry_sees_all

_CHUNK = 2000


def _scope(acting_user: User | None, queryset: QuerySet[Company] | None) -> QuerySet[Company]:
    if acting_user is None:  # the system (CLI)
        base = Company.objects.all()
    else:
        base = companies_visible(user=acting_user)
        if not registry_sees_all(acting_user) and not base.exists():
            raise Forbidden(_("You may not export the registry."), code="export_forbidden")
    if queryset is not None:
        base = base.filter(pk__in=queryset.values("pk"))
    return base


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _company_rows(companies: QuerySet[Company]) -> Iterator[list[Any]]:
    names = [c.name for c in fields_of("companies")]
    qs = companies.order_by("id").values_list(*[("ksic_id" if n == "ksic" else n) for n in names])
    for row in qs.iterator(chunk_size=_CHUNK):
        values = dict(zip(names, row, strict=True))
        yield [_company_cell(n, values[n]) for n in names]


def _company_cell(name: str, value: Any) -> Any:
    if name == "brn":
        return brn_format(value)
    if name in ("is_sme", "is_listed"):
        return _yn(value)
    if name == "region":
        return REGION_SHORT_KO.get(value, value)
    return value


def _related_rows(kind: str, companies: QuerySet[Company]) -> Iterator[list[Any]]:
    names = [c.name for c in fields_of(kind)]
    models: dict[str, type[Patent | CoreTechnology | FinancialStatement]] = {
        "patents": Patent, "technologies": CoreTechnology, "statements": FinancialStatement
    }  # fmt: skip
    model = models[kind]
    fields = [("company__brn" if n == "brn" else n) for n in names]
    qs = (
        model._default_manager.filter(company__in=companies.values("pk"))
        .order_by("company_id", "id")
        .values_list(*fields)
    )
    bools = {"credit_delinquency"}
    for row in qs.iterator(chunk_size=_CHUNK):
        out = []
        for n, v in zip(names, row, strict=True):
            if n == "brn":
                v = brn_format(v)
            elif n in bools:
                v = _yn(v)
            out.append(v)
        yield out


def _formats(kind: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, c in enumerate(fields_of(kind)):
        if c.type == "amount":
            out[i] = KRW_FORMAT
        elif c.type == "date":
            out[i] = DATE_FORMAT
    return out


def _rows(kind: str, companies: QuerySet[Company]) -> Iterator[list[Any]]:
    return _company_rows(companies) if kind == "companies" else _related_rows(kind, companies)


def registry_export_xlsx(*, acting_user: User | None, queryset: QuerySet[Company] | None = None) -> bytes:
    """Companies visible to `acting_user` (optionally narrowed by `queryset`), with sheets for their patents,
    technologies and statements."""
    companies = _scope(acting_user, queryset)
    sheets = []
    for kind in KINDS:
        cols = fields_of(kind)
        sheets.append(
            Sheet(
                title=sheet_title(kind),
                header=[c.header for c in cols],
                rows=_rows(kind, companies),
                number_formats=_formats(kind),
                widths={i: max(12.0, min(36.0, len(c.header) * 1.1)) for i, c in enumerate(cols)},
            )
        )
    return xlsx_write(sheets)


def registry_export_csv(
    *, acting_user: User | None, kind: str = "companies", queryset: QuerySet[Company] | None = None
) -> bytes:
    """One kind as UTF-8 CSV (with BOM, for Excel), formula-injection safe."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    companies = _scope(acting_user, queryset)
    return csv_write([c.header for c in fields_of(kind)], _rows(kind, companies))
