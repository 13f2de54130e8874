"""Monitoring lists as Excel (inspection results, support cases, surveys, removals), with the page's filters and
sort, written through `core.excel` (formula-safe) in chunks; and the lists' sortable columns."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from nic1000.core.excel import Sheet
from nic1000.core.identifiers import brn_format
from nic1000.core.listing import local_naive, rows_of, xlsx_response, xlsx_sheets_response
from nic1000.core.sorting import DESC, SortSpec
from nic1000.monitoring.models import DifficultySurvey, InspectionResult, MonthlySurvey, Removal, SupportCase

RESULT_SORT = SortSpec(
    columns={
        "company": ("company__name_ko",),
        "fiscal_year": ("fiscal_year",),
        "probability": ("probability",),
        "level": ("level",),
        "runway": ("runway_months",),
    },
    default="probability",
    default_dir=DESC,
)
CASE_SORT = SortSpec(
    columns={
        "number": ("pk",),
        "company": ("company__name_ko",),
        "level": ("level",),
        "state": ("state",),
        "owner": ("owner__username",),
        "due": ("due_on",),
        "opened": ("opened_at",),
    },
    default="opened",
    default_dir=DESC,
)
REMOVAL_SORT = SortSpec(
    columns={
        "when": ("removed_at",),
        "company": ("membership__company__name_ko",),
        "body": ("membership__body__code",),
    },
    default="when",
    default_dir=DESC,
)


def results_xlsx(*, results: QuerySet[InspectionResult]) -> HttpResponse:
    header = [
        _("Period"),
        _("Company"),
        _("BRN"),
        _("Fiscal year"),
        _("Probability"),
        _("Level"),
        _("Cash runway (months)"),
        _("Rules"),
    ]

    def row(r: InspectionResult) -> Sequence[object]:
        rules = ", ".join(str(x.get("code", "")) if isinstance(x, dict) else str(x) for x in r.rules or [])
        return [
            r.period,
            r.company.name_ko,
            brn_format(r.company.brn),
            r.fiscal_year,
            r.probability,
            r.get_level_display(),
            r.runway_months,
            rules,
        ]

    return xlsx_response(name="inspections", header=header, rows=rows_of(results, row))


def cases_xlsx(*, cases: QuerySet[SupportCase]) -> HttpResponse:
    header = [
        _("Number"),
        _("Company"),
        _("BRN"),
        _("Level"),
        _("State"),
        _("Owner"),
        _("Due date"),
        _("Opened"),
    ]

    def row(c: SupportCase) -> Sequence[object]:
        return [
            c.pk,
            c.company.name_ko,
            brn_format(c.company.brn),
            c.get_level_display(),
            c.state_label,
            str(c.owner) if c.owner else "",
            c.due_on,
            local_naive(c.opened_at),
        ]

    return xlsx_response(name="cases", header=header, rows=rows_of(cases, row))


def surveys_xlsx(*, monthly: QuerySet[MonthlySurvey], difficulty: QuerySet[DifficultySurvey]) -> HttpResponse:
    def monthly_row(s: MonthlySurvey) -> Sequence[object]:
        return [
            s.period,
            s.company.name_ko,
            brn_format(s.company.brn),
            s.get_support_status_display(),
            s.financing_need,
            s.financing_plan,
            _("Yes") if s.needs_help else _("No"),
            local_naive(s.reviewed_at),
            s.review_note,
        ]

    def difficulty_row(s: DifficultySurvey) -> Sequence[object]:
        return [
            s.half,
            s.company.name_ko,
            brn_format(s.company.brn),
            s.satisfaction,
            ", ".join(str(x) for x in s.difficulty_labels()),
            s.improvements,
            local_naive(s.reviewed_at),
            s.review_note,
        ]

    reviewed = [_("Reviewed"), _("Review note")]
    sheets = [
        Sheet(
            title=_("Monthly status surveys"),
            header=[
                _("Month"),
                _("Company"),
                _("BRN"),
                _("Support status"),
                _("Financing needed (KRW)"),
                _("Financing plans"),
                _("Wants contact"),
                *reviewed,
            ],
            rows=rows_of(monthly, monthly_row),
        ),
        Sheet(
            title=_("Six-monthly difficulty surveys"),
            header=[
                _("Half-year"),
                _("Company"),
                _("BRN"),
                _("Satisfaction"),
                _("Difficulties"),
                _("Improvements needed"),
                *reviewed,
            ],
            rows=rows_of(difficulty, difficulty_row),
        ),
    ]
    return xlsx_sheets_response(name="surveys", sheets=sheets)


def removals_xlsx(*, removals: QuerySet[Removal]) -> HttpResponse:
    header = [_("When"), _("Company"), _("BRN"), _("Body"), _("Reason"), _("Note"), _("Who")]

    def row(r: Removal) -> Sequence[object]:
        m = r.membership
        return [
            local_naive(r.removed_at),
            m.company.name_ko,
            brn_format(m.company.brn),
            m.body.code,
            m.get_removal_reason_display(),
            m.removal_note,
            str(r.removed_by) if r.removed_by else "",
        ]

    return xlsx_response(name="removals", header=header, rows=rows_of(removals, row))
