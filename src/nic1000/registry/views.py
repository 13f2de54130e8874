"""Registry pages: the company list (HTMX filters), a company's detail with ratio trends, imports and exports.

Thin: parse the request, call one selector or service, render.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from nic1000.accounts.models import User
from nic1000.accounts.selectors import may_invite_representative
from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.identifiers import brn_format
from nic1000.core.money import krw
from nic1000.core.pagination import list_page
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, REGISTRY_READERS, Role
from nic1000.core.sorting import SortSpec, sort_from
from nic1000.registry import selectors
from nic1000.registry.exporting import registry_export_xlsx
from nic1000.registry.fields import KIND_LABELS, KINDS
from nic1000.registry.forms import CompanyFilterForm, ImportForm
from nic1000.registry.importing import ImportReport, registry_import_file, template_workbook
from nic1000.registry.regions import Region
from nic1000.registry.statement_items import ALL_ITEMS

EXPORTERS = OFFICE_AND_AUDIT
# The company list's sortable columns ((name, id) and the unique BRN are indexed).
COMPANY_SORT = SortSpec(
    columns={
        "name": ("name_ko",),
        "brn": ("brn",),
        "ksic": ("ksic_id",),
        "region": ("region",),
        "founded": ("founded_on",),
        "employees": ("employees",),
    },
    default="name",
)

# Ratios shown on a company's page: (key in the ratio frame, label, format).
KEY_RATIOS: tuple[tuple[str, Any, str], ...] = (
    ("X2", gettext_lazy("Debt ratio (liabilities / assets)"), "pct"),
    ("X4", gettext_lazy("Current ratio"), "x"),
    ("X1", gettext_lazy("Return on assets (net profit / assets)"), "pct"),
    ("X21", gettext_lazy("Sales growth"), "growth"),
    ("altman_z2", gettext_lazy("Altman Z''"), "num"),
    ("cash_runway_months", gettext_lazy("Cash runway (months)"), "num"),
)
# The ratio module's reasons for a value it cannot compute (msgids, translated on display).
RATIO_REASONS = (
    gettext_lazy("needs previous year"),
    gettext_lazy("needs 3 years of statements (n, n−1, n−2)"),
    gettext_lazy("not burning cash"),
    gettext_lazy("non-finite result"),
)


def _user(request: HttpRequest) -> User:
    """The signed-in user (`role_required` lets no one else through)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _company_rows(companies: list[Any]) -> list[dict[str, Any]]:
    """Display values for the list, prepared once per row (templates with per-row tags and filters are slow
    at 100 rows)."""
    detail = reverse("registry:company_detail", kwargs={"pk": 0}).removesuffix("0/")
    regions = {code: str(label) for code, label in Region.choices}
    return [
        {
            "url": f"{detail}{c.pk}/",
            "name_ko": c.name_ko,
            "name_en": c.name_en,
            "brn": brn_format(c.brn),
            "ksic": c.ksic_id,
            "ksic_name": c.ksic.name,
            "region": regions.get(c.region, c.region),
            "founded": c.founded_on.isoformat(),
            "employees": f"{c.employees:,}",
            "is_sme": c.is_sme,
            "is_listed": c.is_listed,
        }
        for c in companies
    ]


@role_required(REGISTRY_READERS)
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET or None)
    filters = form.filters()
    size = form.rows_per_page()
    sort = sort_from(request.GET, COMPANY_SORT)
    qs = sort.apply(selectors.company_list(user=request.user, **filters))
    page = list_page(qs, request.GET.get("page"), size, count=not filters["q"])
    context = {
        "sort": sort,
        "form": form,
        "page": page,
        "rows": _company_rows(page.rows),
        "can_export": has_role(request.user, EXPORTERS),
        "can_import": has_role(request.user, OFFICE),
        "query": request.GET.urlencode(),
    }
    htmx = getattr(request, "htmx", None)
    # A history restore (back button after hx-push-url, cache miss) needs the whole page, not the partial.
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return render(request, "registry/_company_table.html", context)
    context["filter_fields"] = form.display_fields()
    return render(request, "registry/company_list.html", context)


@role_required(EXPORTERS)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET or None)
    qs = selectors.company_list(user=request.user, **form.filters())
    content = registry_export_xlsx(acting_user=_user(request), queryset=qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="nic1000-registry-{stamp}.xlsx"'
    return response


def _ratio_trends(statements: list[Any]) -> dict[str, Any]:
    """Key ratios per fiscal year from the pure ratio module: rows for the table and series for the chart.

    NaN is shown as "–" with the module's reason (translated when we know it) on hover.
    """
    years = [s.fiscal_year for s in statements]
    if not statements:
        return {"years": [], "rows": [], "chart": {"labels": [], "datasets": []}}
    import pandas as pd

    from nic1000.algorithms.ratios import compute_ratios

    frame = pd.DataFrame(
        [{"company_id": s.company_id, "fiscal_year": s.fiscal_year, **s.items()} for s in statements]
    )
    result = compute_ratios(frame)
    rows = []
    datasets = []
    for key, label, fmt in KEY_RATIOS:
        cells = []
        series: list[float | None] = []
        for i in range(len(statements)):
            value = result.values[key].iloc[i]
            if value is None or pd.isna(value):
                reason = result.reasons[key].iloc[i] or ""
                cells.append({"text": "–", "reason": _(reason) if reason else _("Not computable")})
                series.append(None)
                continue
            value = float(value)
            if fmt == "growth":  # X21 is sales(n) / sales(n-1): shown as growth
                value -= 1.0
            cells.append({"text": _format_ratio(value, fmt), "reason": ""})
            series.append(round(value * (100 if fmt in ("pct", "growth") else 1), 2))
        rows.append({"key": key, "label": str(label), "cells": cells})
        datasets.append(
            {"label": str(label), "data": series, "key": key, "percent": fmt in ("pct", "growth")}
        )
    return {"years": years, "rows": rows, "chart": {"labels": years, "datasets": datasets}}


def _format_ratio(value: float, fmt: str) -> str:
    if fmt == "pct":
        return f"{value * 100:,.1f}%"
    if fmt == "growth":
        return f"{value * 100:+,.1f}%"
    if fmt == "x":
        return f"{value:,.2f}×"
    return f"{value:,.2f}"


def _statement_rows(statements: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for name, _ko, en, _neg in ALL_ITEMS:
        rows.append(
            {
                "name": name,
                "label": _(en),
                "values": [
                    {"short": f"{getattr(s, name) / 1_000_000:,.0f}", "full": krw(getattr(s, name))}
                    for s in statements
                ],
            }
        )
    return rows


@role_required(REGISTRY_READERS, Role.COMPANY)
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.access_company(user=request.user, pk=pk)
    statements = sorted(company.statements.all(), key=lambda s: s.fiscal_year)
    context = {
        "company": company,
        "patents": list(company.patents.all()[:200]),
        "patent_count": company.patents.count(),
        "technologies": list(company.technologies.all()),
        "statements": statements,
        "statement_rows": _statement_rows(statements),
        "delinquent_years": [s.fiscal_year for s in statements if s.credit_delinquency],
        "trends": _ratio_trends(statements),
        "is_reader": has_role(request.user, REGISTRY_READERS),
        # The representative edits its own record (registry.profile_views); everyone who sees it, its history.
        "is_own": has_role(request.user, {Role.COMPANY}) and getattr(request.user, "company_id", None) == pk,
        "history": selectors.company_history(company=company),
        "can_invite": may_invite_representative(user=request.user, company_id=company.pk),
    }
    return render(request, "registry/company_detail.html", context)


def _kinds() -> list[tuple[str, Any]]:
    return [(k, KIND_LABELS[k]) for k in KINDS]


def _problems(report: ImportReport) -> list[dict[str, Any]]:
    return [
        {"row": p.row, "column": p.column, "value": p.value, "message": p.message} for p in report.problems
    ]


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    kinds = _kinds()
    report = None
    error = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = registry_import_file(
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    filename=upload.name,
                    acting_user=_user(request),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ApplicationError as exc:
                error = str(exc)
                form.add_error("file", error)
    else:
        form = ImportForm(kinds=kinds, initial={"kind": request.GET.get("kind") or kinds[0][0]})
    context = {
        "form": form,
        "report": report,
        "problems": _problems(report) if report is not None else [],
        "kinds": kinds,
        "dry_run": bool(form.is_bound and form.is_valid() and form.cleaned_data.get("dry_run")),
    }
    # Problems are shown on the page (re-rendered form, row-by-row report), never as an error status.
    return render(request, "registry/import.html", context)


@role_required(OFFICE)
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    response = HttpResponse(
        template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="nic1000-{kind}-template.xlsx"'
    return response
