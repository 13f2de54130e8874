"""The policy finance workbook (applications, exposure, totals), written with `core.excel` (formula-safe)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.core.identifiers import brn_format
from nic1000.core.listing import local_naive, rows_of, xlsx_response
from nic1000.core.sorting import DESC, SortSpec
from nic1000.finance import selectors
from nic1000.finance.models import Application
from nic1000.finance.workflows import APPLICATION

# The application list's sortable columns (finance/application_list.html).
APPLICATION_SORT = SortSpec(
    columns={
        "number": ("pk",),
        "company": ("company__name_ko",),
        "institution": ("institution__code",),
        "product": ("product__name_ko",),
        "requested": ("amount_requested",),
        "approved": ("approved_amount",),
        "state": ("state",),
        "since": ("state_since",),
    },
    default="number",
    default_dir=DESC,
)

# Headers in the exporter's language (lazy labels, written by core.excel); cells show labels, never codes.
APPLICATION_HEADER = [
    pgettext_lazy("finance application", "Application number"),
    _("Company"),
    _("Business registration number"),
    _("Channel"),
    _("Institution"),
    _("Product"),
    _("Purpose"),
    _("State"),
    _("Amount requested (KRW)"),
    _("Limit (KRW)"),
    _("Approved amount (KRW)"),
    _("Interest rate (%)"),
    _("Guarantee ratio (%)"),
    _("Maturity (months)"),
    _("Disbursed (KRW)"),
    _("Repaid (KRW)"),
    _("Outstanding (KRW)"),
    _("Applied at"),
    _("Decided at"),
]
EXPOSURE_HEADER = [
    _("Institution"),
    _("Product kind"),
    _("Product"),
    _("Approved (KRW)"),
    _("Disbursed (KRW)"),
    _("Repaid (KRW)"),
    _("Outstanding (KRW)"),
]
# The programme's totals (selectors.program_totals) and funnel (selectors.funnel) as people read them.
FIGURES = {
    "cases": _("Cases approved"),
    "companies": _("Companies supported"),
    "loans_krw": _("Loans approved (KRW)"),
    "guarantees_krw": _("Guarantees approved (KRW)"),
    "investment_krw": _("Investment approved (KRW)"),
    "total_krw": _("Total approved (KRW)"),
    "disbursed_krw": _("Disbursed (KRW)"),
}
FUNNEL = {
    "applied": _("Applications"),
    "approved": _("Applications approved"),
    "disbursed": _("Applications disbursed"),
    "declined": _("Applications declined"),
}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Spreadsheets hold no time zones: local time, naive."""
    if value is None:
        return None
    return value.astimezone(timezone.get_current_timezone()).replace(tzinfo=None)


def _application_rows(applications: QuerySet[Application]) -> Iterator[Sequence[object]]:
    for a in applications.order_by("id").iterator(chunk_size=2000):
        yield [
            a.pk,
            a.company.name_ko,
            a.company.brn,
            a.get_channel_display(),
            a.institution.code,
            a.product.code,
            a.get_purpose_display(),
            APPLICATION.states.get(a.state, a.state),
            a.amount_requested,
            a.limit_krw,
            a.approved_amount,
            float(a.approved_rate_pct) if a.approved_rate_pct is not None else None,
            float(a.approved_guarantee_ratio_pct) if a.approved_guarantee_ratio_pct is not None else None,
            a.approved_maturity_months,
            a.disbursed_total,
            a.repaid_total,
            a.outstanding,
            _local(a.created_at),
            _local(a.decided_at),
        ]


def _exposure_rows(rows: Iterable[selectors.ExposureRow]) -> list[Sequence[object]]:
    return [
        [
            r.institution_code,
            r.product_kind_label,
            r.product_code,
            r.approved,
            r.disbursed,
            r.repaid,
            r.outstanding,
        ]
        for r in rows
    ]


def finance_xlsx(*, applications: QuerySet[Application]) -> bytes:
    """The applications the reader may see, exposure by institution and by product, and the programme's
    totals and funnel."""
    totals: list[Sequence[object]] = [
        [FIGURES.get(k, k), v] for k, v in selectors.program_totals().as_dict().items()
    ]
    totals += [[FUNNEL.get(k, k), v] for k, v in selectors.funnel().items()]
    return xlsx_write(
        [
            Sheet(title=_("Applications"), header=APPLICATION_HEADER, rows=_application_rows(applications)),
            Sheet(
                title=_("Exposure by institution"),
                header=EXPOSURE_HEADER,
                rows=_exposure_rows(selectors.exposure_by_institution()),
            ),
            Sheet(
                title=_("Exposure by product"),
                header=EXPOSURE_HEADER,
                rows=_exposure_rows(selectors.exposure_by_product()),
            ),
            Sheet(title=_("Programme totals"), header=[_("Figure"), _("Value")], rows=totals),
        ]
    )


def application_list_xlsx(*, applications: QuerySet[Application]) -> HttpResponse:
    """The application list as shown (its filters and sort), every row."""
    header = [
        _("Number"),
        _("Company"),
        _("BRN"),
        _("Institution"),
        _("Product"),
        _("Channel"),
        _("Requested (KRW)"),
        _("Approved (KRW)"),
        _("State"),
        _("In this state since"),
    ]
    states = APPLICATION.states

    def row(a: Application) -> Sequence[object]:
        return [
            str(a),
            a.company.name_ko,
            brn_format(a.company.brn),
            a.institution.code,
            a.product.name_ko,
            a.get_channel_display(),
            a.amount_requested,
            a.approved_amount,
            str(states.get(a.state, a.state)),
            local_naive(getattr(a, "state_since", None)),
        ]

    return xlsx_response(name="applications", header=header, rows=rows_of(applications, row))
