"""Patents, technologies and statements imports: keyed upserts, references to registry companies, and the
rules of each kind (TRL 1–9, granted after filed, statements that balance, no negative assets)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.identifiers import brn_format
from nic1000.registry.importing import ImportReport, registry_import_file, registry_import_records
from nic1000.registry.models import CoreTechnology, FinancialStatement, Patent
from tests.registry.factories import (
    brn,
    counts,
    patent_record,
    statement_record,
    technology_record,
    to_csv,
    to_xlsx,
)

pytestmark = pytest.mark.django_db


def _import(kind: str, records: list[dict[str, Any]], fmt: str = "xlsx", **kw: Any) -> ImportReport:
    data = to_xlsx(kind, records) if fmt == "xlsx" else to_csv(kind, records, encoding="cp949")
    return registry_import_file(
        kind=kind, file=io.BytesIO(data), filename=f"{kind}.{fmt}", acting_user=None, **kw
    )


@pytest.fixture
def brns(personas: Any) -> tuple[str, str]:
    """Two registry companies with valid BRNs (tests.factories' first BRN, 100-…, fails python-stdnum)."""
    a, b = personas.company_a_obj, personas.company_b_obj
    a.brn, b.brn = brn(7001), brn(7002)
    a.save(update_fields=["brn"])
    b.save(update_fields=["brn"])
    return brn_format(a.brn), brn_format(b.brn)


# ------------------------------------------------------------------------------------------ statements


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_statements_import_and_reimport(personas: Any, brns: tuple[str, str], fmt: str) -> None:
    a, b = brns
    records = [statement_record(a, 2023), statement_record(a, 2024), statement_record(b, 2024)]
    report = _import("statements", records, fmt)
    assert report.ok, report.problems
    assert report.created == 3
    st = FinancialStatement.objects.get(company=personas.company_a_obj, fiscal_year=2024)
    assert st.total_assets == records[1]["total_assets"] and st.source == "import"
    assert st.credit_delinquency is False
    again = _import("statements", records, fmt)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_statement_amounts_with_thousands_separators(personas: Any, brns: tuple[str, str]) -> None:
    rec = statement_record(brns[0])
    rec = {k: (f"{v:,}" if isinstance(v, int) and k != "fiscal_year" else v) for k, v in rec.items()}
    report = _import("statements", [rec], "csv")
    assert report.ok, report.problems
    st = FinancialStatement.objects.get(company=personas.company_a_obj)
    assert st.total_assets == 1_000_000_000


def test_statement_update_is_audited(personas: Any, brns: tuple[str, str]) -> None:
    rec = statement_record(brns[0])
    _import("statements", [rec])
    rec["net_profit"] += 1000
    report = _import("statements", [rec])
    assert report.updated == 1
    entry = AuditEntry.objects.get(action="statement.update")
    assert entry.changes == {"net_profit": {"before": rec["net_profit"] - 1000, "after": rec["net_profit"]}}


@pytest.mark.parametrize(
    ("label", "overrides", "needle"),
    [
        ("negative assets", {"cash": -5}, "cannot be negative"),
        ("does not balance", {"total_assets": 2_000_000_000}, "does not balance"),
        ("text in a numeric cell", {"sales": "lots"}, "number"),
        ("future year", {"fiscal_year": timezone.localdate().year + 1}, "fiscal year"),
        ("fraction of a won", {"sales": "12.5"}, "whole number"),
    ],
)
def test_bad_statements_refused(
    personas: Any, brns: tuple[str, str], label: str, overrides: dict, needle: str
) -> None:
    good = statement_record(brns[1])
    bad = statement_record(brns[0], **overrides)
    before = counts()
    report = _import("statements", [good, bad])
    assert not report.ok and counts() == before
    assert any(needle in p.message_en for p in report.problems), report.problems
    assert report.problems[0].row == 3


def test_statement_duplicate_brn_and_year(personas: Any, brns: tuple[str, str]) -> None:
    before = counts()
    report = _import("statements", [statement_record(brns[0]), statement_record(brns[0])])
    assert not report.ok and counts() == before
    assert "duplicate" in report.problems[0].message_en


def test_statement_for_unknown_company(personas: Any) -> None:
    before = counts()
    report = _import("statements", [statement_record(brn_format(brn(4242)))])
    assert not report.ok and counts() == before
    assert "no company with this BRN" in report.problems[0].message_en


def test_statement_records_source(personas: Any, brns: tuple[str, str]) -> None:
    rec = statement_record(brns[0])
    report = registry_import_records(kind="statements", records=[rec], acting_user=None, source="demo")
    assert report.ok
    assert FinancialStatement.objects.get().source == "demo"


# ------------------------------------------------------------------------------------------ patents


def test_patents_import_upsert_by_application_number(personas: Any, brns: tuple[str, str]) -> None:
    a, b = brns
    records = [patent_record(a, 1), patent_record(a, 2, granted_on=None), patent_record(b, 3, status="포기")]
    report = _import("patents", records)
    assert report.ok, report.problems
    assert report.created == 3
    assert Patent.objects.get(application_number="10-2021-0000001").status == "registered"
    assert Patent.objects.get(application_number="10-2021-0000002").status == "filed"
    assert Patent.objects.get(application_number="10-2021-0000003").status == "abandoned"
    records[0]["title"] = "개선된 제목"
    records[0]["brn"] = b  # moved to another company
    report = _import("patents", records)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    p = Patent.objects.get(application_number="10-2021-0000001")
    assert p.title == "개선된 제목" and p.company_id == personas.company_b_obj.pk


@pytest.mark.parametrize(
    ("label", "overrides", "needle"),
    [
        ("granted before filed", {"filed_on": "2022-01-01", "granted_on": "2021-01-01"}, "granted before"),
        ("unknown company", {"brn": brn_format(brn(4243))}, "no company"),
        ("bad status", {"status": "pending"}, "status"),
        ("negative claims", {"claims": -1}, "0 or more"),
        ("filed in the future", {"filed_on": (dt.date.today() + dt.timedelta(days=9)).isoformat()}, "future"),
    ],
)
def test_bad_patents_refused(
    personas: Any, brns: tuple[str, str], label: str, overrides: dict, needle: str
) -> None:
    before = counts()
    report = _import("patents", [patent_record(brns[0], 1), patent_record(brns[0], 2, **overrides)])
    assert not report.ok and counts() == before
    assert any(needle in p.message_en for p in report.problems), report.problems


def test_duplicate_application_number(personas: Any, brns: tuple[str, str]) -> None:
    before = counts()
    report = _import("patents", [patent_record(brns[0], 1), patent_record(brns[1], 1)])
    assert not report.ok and counts() == before
    assert "duplicate" in report.problems[0].message_en


# ------------------------------------------------------------------------------------------ technologies


def test_technologies_upsert_by_brn_and_name(personas: Any, brns: tuple[str, str]) -> None:
    a, b = brns
    records = [
        technology_record(a, "AI 반도체"),
        technology_record(a, "전력 소자"),
        technology_record(b, "AI 반도체"),
    ]
    report = _import("technologies", records, "csv")
    assert report.ok and report.created == 3
    records[1]["trl"] = 8
    report = _import("technologies", records, "csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert CoreTechnology.objects.get(company=personas.company_a_obj, name="전력 소자").trl == 8


@pytest.mark.parametrize("trl", [0, 10, "high", 5.5])
def test_trl_between_1_and_9(personas: Any, brns: tuple[str, str], trl: Any) -> None:
    before = counts()
    report = _import("technologies", [technology_record(brns[0], trl=trl)])
    assert not report.ok and counts() == before
    assert report.problems[0].column == "기술성숙도(TRL) (Technology readiness level)"


def test_duplicate_technology_in_file(personas: Any, brns: tuple[str, str]) -> None:
    before = counts()
    report = _import("technologies", [technology_record(brns[0]), technology_record(brns[0])])
    assert not report.ok and counts() == before
    assert "duplicate" in report.problems[0].message_en
