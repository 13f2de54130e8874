"""Role matrix (reports app): the programme KPI pages (office and auditors), their Excel downloads, the public summary."""

from __future__ import annotations

from tests.access.spec import EVERYONE, Case

KPI_READERS = {"program_office", "auditor"}

CASES = [
    Case("reports:kpis", KPI_READERS),
    Case("reports:kpis_finance", KPI_READERS),
    Case("reports:kpis_monitoring", KPI_READERS),
    Case("reports:kpis_workbook", KPI_READERS),
    Case("reports:kpi_xlsx", KPI_READERS, kwargs={"slug": "monitoring_levels"}),
    Case("reports:public_summary", EVERYONE),
    Case("reports:public_xlsx", EVERYONE, kwargs={"slug": "by_ministry"}),
    # A table the public summary does not show is not downloadable from it either.
    Case(
        "reports:public_xlsx",
        set(),
        kwargs={"slug": "monitoring_levels"},
        denied=frozenset({404}),
        label="internal",
    ),
]
