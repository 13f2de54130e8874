"""The policy finance workbook (applications, exposure, totals), written with `core.excel` (formula-safe)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import QuerySet
from django.utils import timezone

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.finance import selectors
from nic1000.finance.models import Application

APPLICATION_HEADER = [
    "id",
    "company",
    "brn",
    "channel",
    "institution",
    "product",
    "purpose",
    "state",
    "requested_krw",
    "limit_krw",
    "approved_krw",
    "rate_pct",
    "guarantee_ratio_pct",
    "maturity_months",
    "disbursed_krw",
    "repaid_krw",
    "outstanding_krw",
    "created_at",
    "decided_at",
]
EXPOSURE_HEADER = ["institution", "product_kind", "product", "approved", "disbursed", "repaid", "outstanding"]


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
            a.channel,
            a.institution.code,
            a.product.code,
            a.purpose,
            a.state,
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
        [r.institution_code, r.product_kind, r.product_code, r.approved, r.disbursed, r.repaid, r.outstanding]
        for r in rows
    ]


def finance_xlsx(*, applications: QuerySet[Application]) -> bytes:
    """The applications the reader may see, exposure by institution and by product, and the programme's
    totals and funnel."""
    totals: list[Sequence[object]] = [[k, v] for k, v in selectors.program_totals().as_dict().items()]
    totals += [[f"funnel_{k}", v] for k, v in selectors.funnel().items()]
    return xlsx_write(
        [
            Sheet(title="applications", header=APPLICATION_HEADER, rows=_application_rows(applications)),
            Sheet(
                title="by_institution",
                header=EXPOSURE_HEADER,
                rows=_exposure_rows(selectors.exposure_by_institution()),
            ),
            Sheet(
                title="by_product",
                header=EXPOSURE_HEADER,
                rows=_exposure_rows(selectors.exposure_by_product()),
            ),
            Sheet(title="totals", header=["figure", "value"], rows=totals),
        ]
    )
