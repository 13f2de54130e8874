"""Registry export: formula injection neutralised (XLSX and CSV), numbers with KRW format, BRN formatted,
scoped to what the user sees, and an export imports back unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from nic1000.core.errors import Forbidden
from nic1000.core.excel import safe_cell, unquote_text
from nic1000.core.identifiers import brn_format
from nic1000.registry.exporting import registry_export_csv, registry_export_xlsx
from nic1000.registry.importing import registry_import_file
from nic1000.registry.models import Company
from tests.factories import CompanyFactory, CoreTechnologyFactory, FinancialStatementFactory, PatentFactory
from tests.registry.factories import brn

pytestmark = pytest.mark.django_db

EVIL = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", ["=1+1", "+x", "-x", "@x", "\tx", "\rx"])
def test_safe_cell(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert unquote_text(safe_cell(text)) == text
    assert safe_cell("plain") == "plain" and safe_cell(-5) == -5 and safe_cell(None) is None


@pytest.fixture
def evil(personas: Any) -> Company:
    c = CompanyFactory(
        brn=brn(3100), name_ko=EVIL[0], name_en=EVIL[1], address=EVIL[2], representative=EVIL[3]
    )
    PatentFactory(company=c, title=EVIL[4])
    CoreTechnologyFactory(company=c, name=EVIL[5])
    FinancialStatementFactory(company=c, fiscal_year=2024)
    return c


def _sheet_rows(data: bytes, index: int) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(data))
    return list(wb.worksheets[index].iter_rows(values_only=True))


def test_xlsx_export_neutralises_formulas(personas: Any, evil: Company) -> None:
    data = registry_export_xlsx(acting_user=personas.program_office)
    wb = load_workbook(io.BytesIO(data))
    assert len(wb.worksheets) == 4
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell.value
    companies = _sheet_rows(data, 0)
    row = next(r for r in companies[1:] if r[0] == brn_format(evil.brn))
    assert "'" + EVIL[0] in row
    statements = load_workbook(io.BytesIO(data)).worksheets[3]
    header = [c.value for c in statements[1]]
    col = header.index("자산총계 (Total assets)") + 1
    cell = statements.cell(row=2, column=col)
    assert isinstance(cell.value, int) and "#,##0" in cell.number_format


def test_csv_export_neutralises_formulas(personas: Any, evil: Company) -> None:
    data = registry_export_csv(acting_user=personas.program_office, kind="companies")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value


def test_export_is_scoped(personas: Any, evil: Company) -> None:
    data = registry_export_xlsx(acting_user=personas.company_a)
    brns = [r[0] for r in _sheet_rows(data, 0)[1:]]
    assert brns == [brn_format(personas.company_a_obj.brn)]
    with pytest.raises(Forbidden):
        registry_export_xlsx(acting_user=personas.evaluator)
    only = Company.objects.filter(pk=evil.pk)
    data = registry_export_xlsx(acting_user=personas.auditor, queryset=only)
    assert [r[0] for r in _sheet_rows(data, 0)[1:]] == [brn_format(evil.brn)]


def test_export_imports_back_unchanged(personas: Any, evil: Company) -> None:
    only = Company.objects.filter(pk=evil.pk)
    data = registry_export_xlsx(acting_user=None, queryset=only)
    report = registry_import_file(
        kind="companies", file=io.BytesIO(data), filename="x.xlsx", acting_user=None
    )
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Company.objects.get(pk=evil.pk).name_ko == EVIL[0]
