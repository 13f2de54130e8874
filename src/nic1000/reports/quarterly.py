"""The quarterly report to the FSC (`nic1000 report quarter 2026Q3 --out FILE.xlsx|FILE.pdf`).

One quarter's figures per ministry and per institution, with the programme's progress toward the target, policy
finance against the plan, monitoring levels and survey response rates in the quarter. The same tables as the KPI
pages (`reports.tables`), taken for the quarter's dates (Asia/Seoul): `*_in_the_quarter` columns count what
happened between its first and last day, the others everything up to its last day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.errors import ValidationFailed
from nic1000.core.excel import Sheet, xlsx_write
from nic1000.reports import kpis, tables

_PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


class ReportError(ValidationFailed):
    """The report cannot be made as asked (commands show the message: `ApplicationError` → CommandError)."""


class PeriodError(ReportError):
    """A quarter written other than YYYYQn (n from 1 to 4)."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return kpis.month_end(f"{self.year}-{3 * self.number:02d}")

    def __str__(self) -> str:
        return self.label


def parse_quarter(text: str) -> Quarter:
    """'2026Q3' → the quarter from 2026-07-01 to 2026-09-30 (days in Asia/Seoul). Anything else is refused
    with a message that says what to write ('2026Q5', '26Q1', '2026-Q3' are refused)."""
    m = _PERIOD.match(text.strip().upper())
    if m is None:
        raise PeriodError(
            _(
                "%(text)r is not a quarter: write the year and the quarter as YYYYQn, e.g. 2026Q3 (n from 1 to 4)."
            )
            % {"text": text},
            code="bad_quarter",
        )
    year = int(m.group(1))
    if year < 2000 or year > 2100:
        raise PeriodError(
            _("%(text)r is not a quarter of the programme's years.") % {"text": text}, code="bad_quarter"
        )
    return Quarter(year=year, number=int(m.group(2)))


@dataclass(frozen=True)
class QuarterlyReport:
    quarter: Quarter
    made_at: dt.datetime
    summary: list[tuple[str, Any, tables.Kind]]  # (figure, value, kind: int/krw/pct)
    sections: list[tables.Table]

    def summary_cells(self) -> list[tuple[str, tables.Cell]]:
        return [(name, tables.Cell(value, kind)) for name, value, kind in self.summary]


def quarterly_tables(period: str | Quarter) -> QuarterlyReport:
    """Every figure of the report for one quarter (a fixed number of queries)."""
    q = period if isinstance(period, Quarter) else parse_quarter(period)
    now = kpis.progress_now(as_of=q.end)
    financed = kpis.financed_share(as_of=q.end)
    quarters = kpis.finance_by_quarter(as_of=q.end)
    this = next((r for r in quarters if r.quarter == q.label), None)
    cumulative = quarters[-1].cumulative_approved if quarters else 0
    the_plan = kpis.plan()
    plan_to_date = the_plan.plan_to(q.end)
    summary: list[tuple[str, Any, tables.Kind]] = [
        (_("Target (companies)"), now.target, "int"),
        (_("Active designations at the end of the quarter"), now.active, "int"),
        (_("Share of the target"), now.target_share, "pct"),
        (_("Designated in all rounds"), now.designated_total, "int"),
        (_("Removed in all"), now.removed_total, "int"),
        (_("Places to refill in the next round"), now.open_vacancies, "int"),
        (_("Policy finance approved in the quarter"), this.approved if this else 0, "krw"),
        (_("Policy finance disbursed in the quarter"), this.disbursed if this else 0, "krw"),
        (_("Policy finance approved to date"), cumulative, "krw"),
        (_("Finance plan (three years)"), kpis.FINANCE_PLAN_KRW, "krw"),
        (_("Plan due by the end of the quarter"), plan_to_date, "krw"),
        (_("Share of the plan due"), cumulative / plan_to_date if plan_to_date else None, "pct"),
        (_("Designated companies financed"), financed.financed, "int"),
        (_("Share of designated companies financed"), financed.share, "pct"),
    ]
    report_tables = [
        tables.ministry_detail_table(start=q.start, end=q.end, window=True),
        tables.institution_table(start=q.start, end=q.end, window=True),
        tables.designations_table(as_of=q.end),
        tables.finance_quarter_table(as_of=q.end),
        tables.product_table(as_of=q.end),
        tables.levels_table(start=q.start, end=q.end),
        tables.monthly_survey_table(start=q.start, end=q.end),
        tables.difficulty_survey_table(start=q.start, end=q.end),
    ]
    return QuarterlyReport(quarter=q, made_at=timezone.now(), summary=summary, sections=report_tables)


def _summary_sheet(report: QuarterlyReport) -> Sheet:
    """The summary: one figure a row, with its unit (KRW as whole won, shares in per cent)."""
    units = {"int": _("companies"), "krw": _("KRW"), "pct": "%"}
    rows = [
        [name, round(value * 100, 1) if kind == "pct" and value is not None else value, units[kind]]
        for name, value, kind in report.summary
    ]
    return Sheet(
        title="summary",
        header=[_("Figure"), report.quarter.label, _("Unit")],
        rows=rows,
        widths={0: 48.0, 1: 22.0},
    )


def quarterly_xlsx(period: str | Quarter) -> bytes:
    """The report as a workbook: a summary sheet and one sheet per table (core.excel, formula-safe)."""
    report = quarterly_tables(period)
    return xlsx_write([_summary_sheet(report), *(t.sheet() for t in report.sections)])


def quarterly_html(period: str | Quarter) -> str:
    report = quarterly_tables(period)
    return render_to_string("reports/quarterly_pdf.html", {"report": report})


def quarterly_pdf(period: str | Quarter) -> bytes:
    from nic1000.reports.pdf import render_pdf

    return render_pdf("reports/quarterly_pdf.html", {"report": quarterly_tables(period)})


def quarterly_file(period: str, out: Path) -> bytes:
    """The report for the file named by `out`: a workbook for .xlsx, a PDF for .pdf (ReportError otherwise).
    `nic1000 report quarter PERIOD --out FILE` calls this."""
    q = parse_quarter(period)
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        return quarterly_xlsx(q)
    if suffix == ".pdf":
        return quarterly_pdf(q)
    raise ReportError(
        _("The output file must end in .xlsx or .pdf, not %(name)s.") % {"name": out.name}, code="bad_suffix"
    )


def write_report(period: str, out: Path) -> Path:
    """Make the report and write it to `out` (nothing is written when the report cannot be made)."""
    data = quarterly_file(period, out)
    out.write_bytes(data)
    return out
