"""The KPI figures as tables: one `Table` per chart, shown as a chart with the same numbers in a table beside it
(accessible), written to Excel through `core.excel` (formula-safe) and used by the quarterly report.

A table holds raw values (whole KRW, counts, shares as fractions); pages format them (`krw_short` for money,
percentages with one decimal), Excel keeps the numbers with number formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nic1000.core.excel import KRW_FORMAT, Sheet, xlsx_write
from nic1000.core.money import EOK, JO, krw_short
from nic1000.core.workflow import Label
from nic1000.monitoring.models import AlertLevel
from nic1000.reports import kpis

Kind = Literal["text", "int", "krw", "pct"]
PCT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Column:
    label: Label
    kind: Kind = "int"


@dataclass(frozen=True)
class Chart:
    """How to draw a table: the first column gives the labels, `series` the columns drawn (as bars unless
    listed in `lines`). Money is drawn in units of `divisor` KRW (억원 or 조원), named by `unit`."""

    series: tuple[int, ...]
    kind: Literal["bar", "line"] = "bar"
    stacked: bool = False
    lines: tuple[int, ...] = ()
    unit: Label = ""
    divisor: int = 1
    horizontal: bool = False


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: Kind

    @property
    def text(self) -> str:
        """Counts and shares as text (money is formatted by the template's krw filters)."""
        if self.value is None:
            return "–"
        if self.kind == "int":
            return f"{int(self.value):,}"
        if self.kind == "pct":
            return f"{self.value * 100:.1f}%"
        return str(self.value)


@dataclass(frozen=True)
class Table:
    slug: str
    title: Label
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    chart: Chart | None = None
    note: Label = ""
    public: bool = False  # shown on the public summary (aggregates only, never a company)
    totals: tuple[Any, ...] | None = field(default=None)

    @property
    def wide(self) -> bool:
        """Many columns: the chart above the table rather than beside it."""
        return len(self.columns) > 5

    @property
    def chart_id(self) -> str:
        return f"kpi-{self.slug}"

    @property
    def data_id(self) -> str:
        return f"kpi-{self.slug}-data"

    def cells(self) -> list[list[Cell]]:
        return [[Cell(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def total_cells(self) -> list[Cell] | None:
        if self.totals is None:
            return None
        return [Cell(v, c.kind) for v, c in zip(self.totals, self.columns, strict=True)]

    def chart_data(self) -> dict[str, Any] | None:
        """What the page's script draws (json_script; labels translated now)."""
        if self.chart is None:
            return None
        c = self.chart

        def scaled(v: Any, kind: Kind) -> float | None:
            if v is None:
                return None
            if kind == "pct":
                return round(float(v) * 100, 1)
            if kind == "krw":
                return round(float(v) / c.divisor, 2)
            return float(v)

        return {
            "kind": c.kind,
            "stacked": c.stacked,
            "horizontal": c.horizontal,
            "unit": str(c.unit),
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": str(self.columns[i].label),
                    "data": [scaled(row[i], self.columns[i].kind) for row in self.rows],
                    "line": i in c.lines,
                }
                for i in c.series
            ],
        }

    def sheet(self) -> Sheet:
        formats = {
            i: KRW_FORMAT if col.kind == "krw" else PCT_FORMAT
            for i, col in enumerate(self.columns)
            if col.kind in ("krw", "pct")
        }
        rows: list[Sequence[Any]] = list(self.rows)
        if self.totals is not None:
            rows.append(self.totals)
        return Sheet(
            title=self.slug[:31],
            header=[str(c.label) for c in self.columns],
            rows=rows,
            number_formats=formats,
            widths={0: 28.0},
        )


def workbook(tables: Sequence[Table]) -> bytes:
    return xlsx_write([t.sheet() for t in tables])


EOK_UNIT = _("KRW 100 million (억원)")
JO_UNIT = _("KRW trillion (조원)")


# ---------------------------------------------------------------- designations


def round_label(number: int) -> str:
    """A round's short name in tables and charts (its full name is the office's, often long)."""
    return str(_("Round %(number)d") % {"number": number})


def designations_table(as_of: dt.date | None = None) -> Table:
    rows = kpis.designation_progress(as_of=as_of)
    return Table(
        slug="designations",
        title=_("Designated companies over rounds, toward the target"),
        columns=(
            Column(_("Round"), "text"),
            Column(_("Selected")),
            Column(_("Removed since the round before")),
            Column(_("Periods ended since the round before")),
            Column(_("Places refilled")),
            Column(_("New places")),
            Column(_("Designated in all")),
            Column(_("Active after the round")),
            Column(_("Target")),
            Column(_("Share of the target"), "pct"),
        ),
        rows=[
            (
                round_label(r.number),
                r.selected,
                r.removed_before,
                r.ended_before,
                r.refilled,
                r.new_places,
                r.designated_total,
                r.active_after,
                r.target,
                r.target_share,
            )
            for r in rows
        ],
        chart=Chart(series=(4, 5, 7, 8), stacked=False, lines=(7, 8)),
        note=_(
            "Places freed by removals and ended periods are refilled by the next round; the selected beyond "
            "them are new places."
        ),
        public=True,
    )


def _share_table(slug: str, title: Label, first: Label, shares: list[kpis.Share], horizontal: bool) -> Table:
    total = sum(s.count for s in shares)
    return Table(
        slug=slug,
        title=title,
        columns=(Column(first, "text"), Column(_("Active designations")), Column(_("Share"), "pct")),
        rows=[(s.label, s.count, s.share) for s in shares],
        chart=Chart(series=(1,), horizontal=horizontal),
        public=True,
        totals=(_("Total"), total, 1.0 if total else 0.0),
    )


def ministry_table(as_of: dt.date | None = None) -> Table:
    return _share_table(
        "by_ministry",
        _("Active designations by ministry"),
        _("Ministry"),
        kpis.by_ministry(as_of=as_of),
        True,
    )


def sector_table(as_of: dt.date | None = None) -> Table:
    return _share_table(
        "by_sector", _("Active designations by sector"), _("Sector"), kpis.by_sector(as_of=as_of), True
    )


def region_table(as_of: dt.date | None = None) -> Table:
    return _share_table(
        "by_region", _("Active designations by region"), _("Region"), kpis.by_region(as_of=as_of), True
    )


def sme_table(as_of: dt.date | None = None) -> Table:
    return _share_table(
        "by_sme", _("Active designations: SMEs and others"), _("Size"), kpis.by_sme(as_of=as_of), False
    )


def age_table(as_of: dt.date | None = None) -> Table:
    return _share_table(
        "by_age", _("Active designations by company age"), _("Age"), kpis.by_age(as_of=as_of), False
    )


# ---------------------------------------------------------------- policy finance


def _finance_columns(period: Label) -> tuple[Column, ...]:
    return (
        Column(period, "text"),
        Column(_("Approved cases")),
        Column(_("Loans"), "krw"),
        Column(_("Guarantees"), "krw"),
        Column(_("Investment"), "krw"),
        Column(_("Approved"), "krw"),
        Column(_("Disbursed"), "krw"),
        Column(_("Approved to date"), "krw"),
        Column(_("Plan to date"), "krw"),
        Column(_("Share of the plan to date"), "pct"),
    )


def _plan_share(approved: int, plan_to_date: int) -> float | None:
    return approved / plan_to_date if plan_to_date else None


def finance_quarter_table(as_of: dt.date | None = None) -> Table:
    rows = kpis.finance_by_quarter(as_of=as_of)
    return Table(
        slug="finance_quarters",
        title=_("Policy finance by quarter against the plan"),
        columns=_finance_columns(_("Quarter")),
        rows=[
            (
                q.quarter,
                q.cases,
                q.by_group["loans"],
                q.by_group["guarantees"],
                q.by_group["investment"],
                q.approved,
                q.disbursed,
                q.cumulative_approved,
                q.plan_to_date,
                _plan_share(q.cumulative_approved, q.plan_to_date),
            )
            for q in rows
        ],
        chart=Chart(series=(2, 3, 4, 7, 8), stacked=False, lines=(7, 8), unit=EOK_UNIT, divisor=EOK),
        note=plan_note(),
        public=True,
    )


def finance_year_table(as_of: dt.date | None = None) -> Table:
    rows = kpis.finance_by_year(as_of=as_of)
    return Table(
        slug="finance_years",
        title=_("Policy finance by year against the plan"),
        columns=_finance_columns(_("Year")),
        rows=[
            (
                str(y.year),
                y.cases,
                y.by_group["loans"],
                y.by_group["guarantees"],
                y.by_group["investment"],
                y.approved,
                y.disbursed,
                y.cumulative_approved,
                y.plan_to_date,
                _plan_share(y.cumulative_approved, y.plan_to_date),
            )
            for y in rows
        ],
        chart=Chart(series=(2, 3, 4), stacked=True, unit=JO_UNIT, divisor=JO),
        note=plan_note(),
        public=True,
    )


def plan_note() -> str:
    return str(
        _("The plan: %(amount)s of policy finance over %(years)d years from the programme's start.")
        % {
            "amount": krw_short(kpis.FINANCE_PLAN_KRW, get_language() or "ko"),
            "years": kpis.FINANCE_PLAN_YEARS,
        }
    )


def institution_table(
    *, start: dt.date | None = None, end: dt.date | None = None, window: bool = False
) -> Table:
    """Every institution; with `window`, also what happened between `start` and `end` (the quarterly report)."""
    rows = kpis.by_institution(start=start, end=end)
    window_cols: tuple[Column, ...] = (
        (
            Column(_("Applications in the quarter")),
            Column(_("Approved cases in the quarter")),
            Column(_("Approved in the quarter"), "krw"),
            Column(_("Disbursed in the quarter"), "krw"),
        )
        if window
        else ()
    )
    columns = (
        Column(_("Institution"), "text"),
        *window_cols,
        Column(_("Approved cases")),
        Column(_("Companies financed")),
        Column(_("Approved"), "krw"),
        Column(_("Disbursed"), "krw"),
        Column(_("Repaid"), "krw"),
        Column(_("Outstanding"), "krw"),
    )

    def values(r: kpis.InstitutionFinance) -> tuple[Any, ...]:
        head = (
            (r.applications_in_window, r.cases_in_window, r.approved_in_window, r.disbursed_in_window)
            if window
            else ()
        )
        return (r.name, *head, r.cases, r.companies, r.approved, r.disbursed, r.repaid, r.outstanding)

    table_rows = [values(r) for r in rows]
    totals = (_("Total"), *(sum(r[i] for r in table_rows) for i in range(1, len(columns))))
    approved_col = 3 + len(window_cols)
    return Table(
        slug="finance_institutions",
        title=_("Policy finance by institution"),
        columns=columns,
        rows=table_rows,
        chart=Chart(series=(approved_col, approved_col + 1), unit=EOK_UNIT, divisor=EOK, horizontal=True),
        public=not window,
        totals=totals,
    )


def product_table(as_of: dt.date | None = None) -> Table:
    rows = kpis.by_product(as_of=as_of)
    table_rows: list[tuple[Any, ...]] = [
        (f"{r.name} ({r.institution_code})", r.kind_label, r.cases, r.approved, r.disbursed, r.outstanding)
        for r in rows
    ]
    return Table(
        slug="finance_products",
        title=_("Policy finance by product"),
        columns=(
            Column(_("Product"), "text"),
            Column(_("Kind"), "text"),
            Column(_("Approved cases")),
            Column(_("Approved"), "krw"),
            Column(_("Disbursed"), "krw"),
            Column(_("Outstanding"), "krw"),
        ),
        rows=table_rows,
        chart=Chart(series=(3,), unit=EOK_UNIT, divisor=EOK, horizontal=True),
        public=True,
        totals=(_("Total"), "", *(sum(r[i] for r in table_rows) for i in range(2, 6))),
    )


def financed_table(as_of: dt.date | None = None) -> Table:
    s = kpis.financed_share(as_of=as_of)
    return Table(
        slug="financed_share",
        title=_("Share of designated companies financed"),
        columns=(
            Column(_("Designated companies"), "text"),
            Column(_("Companies")),
            Column(_("With policy finance approved")),
            Column(_("Share financed"), "pct"),
        ),
        rows=[
            (_("Designated in all rounds"), s.designated, s.financed, s.share),
            (_("Active designations"), s.active, s.active_financed, s.active_share),
        ],
        chart=Chart(series=(1, 2), horizontal=True),
        public=True,
    )


def ministry_detail_table(
    *, start: dt.date | None = None, end: dt.date | None = None, window: bool = False
) -> Table:
    """Designations and finance per ministry (the quarterly report; on the KPI page without the window)."""
    rows = kpis.by_ministry_detail(start=start, end=end)
    window_cols: tuple[Column, ...] = (
        (
            Column(_("Designated in the quarter")),
            Column(_("Removed in the quarter")),
            Column(_("Approved in the quarter"), "krw"),
        )
        if window
        else ()
    )
    columns = (
        Column(_("Ministry"), "text"),
        Column(_("Designated in all")),
        Column(_("Active")),
        Column(_("Removed")),
        *window_cols,
        Column(_("Companies financed")),
        Column(_("Share financed"), "pct"),
        Column(_("Approved"), "krw"),
    )

    def values(r: kpis.MinistryRow) -> tuple[Any, ...]:
        head = (r.new_in_window, r.removed_in_window, r.approved_in_window) if window else ()
        return (
            r.name,
            r.designated,
            r.active,
            r.removed,
            *head,
            r.financed_companies,
            r.financed_share,
            r.approved,
        )

    table_rows = [values(r) for r in rows]
    n = len(columns)
    sums: list[Any] = [sum(r[i] for r in table_rows) for i in range(1, n)]
    designated, financed = sums[0], sums[n - 4]
    sums[n - 3] = financed / designated if designated else None
    return Table(
        slug="ministry_finance",
        title=_("Designations and policy finance by ministry"),
        columns=columns,
        rows=table_rows,
        chart=Chart(series=(1, 2, n - 3), horizontal=True),
        totals=(_("Total"), *sums),
    )


# ---------------------------------------------------------------- monitoring and surveys


def levels_table(*, start: dt.date | None = None, end: dt.date | None = None) -> Table:
    rows = kpis.monitoring_levels(start=start, end=end)
    levels = list(AlertLevel)
    return Table(
        slug="monitoring_levels",
        title=_("Monitoring levels over time"),
        columns=(
            Column(_("Month"), "text"),
            *(Column(level.label) for level in levels),
            Column(_("Inspected")),
        ),
        rows=[(r.period, *(r.counts[level.value] for level in levels), r.total) for r in rows],
        chart=Chart(series=tuple(range(1, len(levels) + 1)), stacked=True),
    )


def _rate_table(slug: str, title: Label, period: Label, rows: list[kpis.ResponseRate]) -> Table:
    return Table(
        slug=slug,
        title=title,
        columns=(
            Column(period, "text"),
            Column(_("Active designations")),
            Column(_("Answers")),
            Column(_("Response rate"), "pct"),
        ),
        rows=[(r.period, r.expected, r.responded, r.rate) for r in rows],
        chart=Chart(series=(3,), kind="line", unit="%"),
    )


def monthly_survey_table(*, start: dt.date | None = None, end: dt.date | None = None) -> Table:
    return _rate_table(
        "survey_monthly",
        _("Monthly survey response rate"),
        _("Month"),
        kpis.monthly_response_rates(start=start, end=end),
    )


def difficulty_survey_table(*, start: dt.date | None = None, end: dt.date | None = None) -> Table:
    return _rate_table(
        "survey_halfyear",
        _("Six-monthly survey response rate"),
        _("Half-year"),
        kpis.difficulty_response_rates(start=start, end=end),
    )


# ---------------------------------------------------------------- pages


# The tables of each KPI page, in order; the public summary shows the public ones.
PAGES: dict[str, tuple[Callable[[], Table], ...]] = {
    "designations": (
        designations_table,
        ministry_table,
        sector_table,
        region_table,
        sme_table,
        age_table,
    ),
    "finance": (
        finance_year_table,
        finance_quarter_table,
        institution_table,
        product_table,
        financed_table,
        ministry_detail_table,
    ),
    "monitoring": (levels_table, monthly_survey_table, difficulty_survey_table),
}
PUBLIC_TABLES: tuple[Callable[[], Table], ...] = (
    designations_table,
    ministry_table,
    sector_table,
    region_table,
    sme_table,
    age_table,
    finance_year_table,
    institution_table,
    financed_table,
)


def page_tables(page: str) -> list[Table]:
    return [build() for build in PAGES[page]]


def table_by_slug(slug: str, *, public: bool = False) -> Table | None:
    """One table by its slug (for its Excel download); public tables only when `public`."""
    builders = PUBLIC_TABLES if public else tuple(b for page in PAGES.values() for b in page)
    for build in builders:
        if SLUGS.get(build) == slug:
            table = build()
            return table if table.public or not public else None
    return None


# Each builder's slug, without running its queries (for URLs and lookups).
SLUGS: dict[Callable[[], Table], str] = {
    designations_table: "designations",
    ministry_table: "by_ministry",
    sector_table: "by_sector",
    region_table: "by_region",
    sme_table: "by_sme",
    age_table: "by_age",
    finance_year_table: "finance_years",
    finance_quarter_table: "finance_quarters",
    institution_table: "finance_institutions",
    product_table: "finance_products",
    financed_table: "financed_share",
    ministry_detail_table: "ministry_finance",
    levels_table: "monitoring_levels",
    monthly_survey_table: "survey_monthly",
    difficulty_survey_table: "survey_halfyear",
}
