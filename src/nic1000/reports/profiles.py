"""A company's risk profile (statements' ratios over time, the early-warning results with their explanation,
the support cases and actions) and a support case's summary. Both are internal documents for monitoring's
readers: what the company page and the case page show, on paper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from nic1000.core.errors import NotFound
from nic1000.core.identifiers import brn_compact, brn_format
from nic1000.monitoring import selectors as monitoring
from nic1000.monitoring.models import CaseAction, InspectionResult, SupportCase
from nic1000.monitoring.workflows import CASE_WORKFLOW
from nic1000.registry.models import Company, FinancialStatement
from nic1000.reports import charts
from nic1000.reports.pdf import render_pdf

RISK_TEMPLATE = "reports/risk.html"
CASE_TEMPLATE = "reports/case.html"
RESULT_ROWS = 24


def _pct(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator * 100


@dataclass(frozen=True)
class RatioRow:
    fiscal_year: int
    sales: int
    operating_margin: float | None  # operating profit / sales, %
    debt_ratio: float | None  # total liabilities / equity, %
    current_ratio: float | None  # current assets / short-term liabilities, %
    equity: int
    cash: int


def ratio_rows(*, company_id: int) -> list[RatioRow]:
    """A few plain ratios per fiscal year (the early-warning model's 64 ratios are on the company page)."""
    rows = FinancialStatement.objects.filter(company_id=company_id).order_by("fiscal_year")
    return [
        RatioRow(
            fiscal_year=s.fiscal_year,
            sales=s.sales,
            operating_margin=_pct(s.profit_on_operating_activities, s.sales),
            debt_ratio=_pct(s.total_liabilities, s.equity) if s.equity > 0 else None,
            current_ratio=_pct(s.current_assets, s.short_term_liabilities),
            equity=s.equity,
            cash=s.cash,
        )
        for s in rows
    ]


def company_by_brn(*, brn: str) -> Company:
    company = Company.objects.filter(brn=brn_compact(brn), memberships__isnull=False).distinct().first()
    if company is None:
        raise NotFound(
            _("No designated company with business registration number %(brn)s.") % {"brn": brn_format(brn)},
            code="company_not_found",
        )
    return company


def _actions(cases: list[SupportCase]) -> list[CaseAction]:
    return list(
        CaseAction.objects.filter(case__in=cases).select_related("by", "institution").order_by("at", "id")
    )


def risk_context(*, company: Company) -> dict[str, Any]:
    results = list(InspectionResult.objects.filter(company=company).order_by("-period")[:RESULT_ROWS])
    latest = results[0] if results else None
    trend = list(reversed(results))
    monitoring.with_programme_risk(results)  # each result's programme-calibrated probability and grade
    chart = charts.bar_chart(
        [(r.period, round((r.probability or 0) * 100, 1)) for r in trend],
        title=_("Probability of distress by period (%)"),
    )
    cases = list(SupportCase.objects.filter(company=company).select_related("owner").order_by("opened_at"))
    return {
        "company": company,
        "brn": brn_format(company.brn),
        "memberships": list(monitoring.memberships_of(company=company)),
        "ratios": ratio_rows(company_id=company.pk),
        "results": trend,
        "latest": latest,
        "explanation": monitoring.explanation(result=latest) if latest else None,
        "trend_chart": _svg(chart),
        "cases": cases,
        "actions": _actions(cases),
        "exposure": monitoring.exposure(company_id=company.pk),
        "generated_at": timezone.localtime(),
    }


def _svg(markup: str) -> SafeString:
    return mark_safe(markup)  # the chart helpers escape every label they print


def risk_pdf(*, company: Company) -> bytes:
    return render_pdf(RISK_TEMPLATE, risk_context(company=company))


def risk_filename(company: Company) -> str:
    return f"risk-profile-{company.brn}.pdf"


def case_by_pk(*, pk: int) -> SupportCase:
    case = SupportCase.objects.select_related("company", "owner", "opened_from").filter(pk=pk).first()
    if case is None:
        raise NotFound(_("No support case %(pk)s.") % {"pk": pk}, code="case_not_found")
    return case


def case_context(*, case: SupportCase) -> dict[str, Any]:
    history = []
    for item in monitoring.case_history(case=case):
        if item["kind"] == "state":
            before, _arrow, after = str(item["text"]).partition(" → ")
            labels = CASE_WORKFLOW.states
            item = {**item, "text": f"{labels.get(before, before)} → {labels.get(after.strip(), after)}"}
        history.append(item)
    origin = case.opened_from
    return {
        "case": case,
        "company": case.company,
        "brn": brn_format(case.company.brn),
        "state_label": case.state_label,
        "level_label": case.get_level_display(),
        "origin": origin,
        "explanation": monitoring.explanation(result=origin) if origin else None,
        "history": history,
        "ratios": ratio_rows(company_id=case.company_id)[-5:],
        "exposure": monitoring.exposure(company_id=case.company_id),
        "generated_at": timezone.localtime(),
    }


def case_pdf(*, case: SupportCase) -> bytes:
    return render_pdf(CASE_TEMPLATE, case_context(case=case))


def case_filename(case: SupportCase) -> str:
    return f"support-case-{case.pk}.pdf"
