"""The programme's KPI pages (office and auditors), their Excel downloads, and the public summary."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nic1000.accounts.http import AuthedRequest
from nic1000.core.access import public, role_required
from nic1000.core.roles import OFFICE_AND_AUDIT
from nic1000.reports import kpis, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The public summary changes as companies are designated and financed: kept this long in the shared cache.
PUBLIC_SUMMARY_SECONDS = 300

PAGE_TITLES = {
    "designations": _("Designations"),
    "finance": _("Policy finance"),
    "monitoring": _("Monitoring and surveys"),
}


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="nic1000-{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


def _page(request: HttpRequest, page: str) -> HttpResponse:
    context = {
        "page": page,
        "pages": PAGE_TITLES,
        "title": PAGE_TITLES[page],
        "tables": tables.page_tables(page),
        "now": kpis.progress_now() if page == "designations" else None,
        "plan": kpis.plan(),
    }
    return render(request, "reports/kpis.html", context)


@role_required(OFFICE_AND_AUDIT)
def kpis_designations(request: AuthedRequest) -> HttpResponse:
    return _page(request, "designations")


@role_required(OFFICE_AND_AUDIT)
def kpis_finance(request: AuthedRequest) -> HttpResponse:
    return _page(request, "finance")


@role_required(OFFICE_AND_AUDIT)
def kpis_monitoring(request: AuthedRequest) -> HttpResponse:
    return _page(request, "monitoring")


@role_required(OFFICE_AND_AUDIT)
def kpi_xlsx(request: AuthedRequest, slug: str) -> HttpResponse:
    table = tables.table_by_slug(slug)
    if table is None:
        raise Http404
    return _xlsx(tables.workbook([table]), slug.replace("_", "-"))


@role_required(OFFICE_AND_AUDIT)
def kpis_workbook(request: AuthedRequest) -> HttpResponse:
    every = [t for page in tables.PAGES for t in tables.page_tables(page)]
    return _xlsx(tables.workbook(every), "kpis")


@public
def public_summary(request: HttpRequest) -> HttpResponse:
    """Totals only, never a company: rendered once per language and kept in the shared cache for a few
    minutes (the page around it still shows who is signed in)."""
    key = f"nic1000:public-summary:{get_language()}"
    content = cache.get(key)
    if content is None:
        context = {
            "tables": [build() for build in tables.PUBLIC_TABLES],
            "now": kpis.progress_now(),
            "plan": kpis.plan(),
            "public": True,
        }
        content = render_to_string("reports/_kpis_public_content.html", context)
        cache.set(key, content, timeout=PUBLIC_SUMMARY_SECONDS)
    return render(request, "reports/kpis_public.html", {"content": mark_safe(content)})  # our template's


@public
def public_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.table_by_slug(slug, public=True)
    if table is None:
        raise Http404
    return _xlsx(tables.workbook([table]), f"summary-{slug.replace('_', '-')}")
