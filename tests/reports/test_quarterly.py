"""The quarterly report to the FSC: the period, its tables per ministry and per institution, xlsx and pdf."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from nic1000.core.money import krw_short
from nic1000.registry.models import Body, Institution
from nic1000.reports import quarterly
from tests.reports.world import EOK, World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2021q1", dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
        (" 2024Q4 ", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ],
)
def test_parse_quarter(text: str, start: dt.date, end: dt.date) -> None:
    q = quarterly.parse_quarter(text)
    assert (q.start, q.end) == (start, end)


@pytest.mark.parametrize("text", ["2026Q5", "26Q1", "2026Q0", "2026-Q3", "2026", "Q3 2026", "", "1999Q1"])
def test_bad_quarters_are_refused_with_a_clear_message(text: str) -> None:
    with translation.override("en"), pytest.raises(quarterly.PeriodError) as exc:
        quarterly.parse_quarter(text)
    assert "quarter" in str(exc.value)


def _row(sheet: Any, first: str) -> list[Any]:
    for row in sheet.iter_rows(values_only=True):
        if row[0] == first:
            return list(row)
    raise AssertionError(f"no row {first!r}")


def test_tables_per_ministry_and_per_institution(world: World) -> None:
    report = quarterly.quarterly_tables("2021Q3")
    ministry, institution = report.sections[0], report.sections[1]
    assert ministry.slug == "ministry_finance" and institution.slug == "finance_institutions"
    motie = next(r for r in ministry.rows if r[0] == Body.objects.get(code="MOTIE").name_ko)
    # designated, active, removed, new in quarter, removed in quarter, approved in quarter, financed, share, approved
    assert list(motie[1:]) == [2, 2, 0, 0, 0, 20 * EOK, 1, 0.5, 20 * EOK]
    kodit = next(r for r in institution.rows if r[0] == Institution.objects.get(code="KODIT").name_ko)
    assert list(kodit[1:5]) == [1, 1, 20 * EOK, 0]  # applications, cases, approved, disbursed in the quarter
    with translation.override("en"):
        summary = {str(n): v for n, v, _k in quarterly.quarterly_tables("2021Q3").summary}
    assert summary["Active designations at the end of the quarter"] == 6
    assert summary["Policy finance approved in the quarter"] == 20 * EOK
    assert summary["Policy finance approved to date"] == 30 * EOK
    assert summary["Plan due by the end of the quarter"] == 40 * 10**12 * 15 // 36


def test_xlsx(world: World) -> None:
    content = quarterly.quarterly_xlsx("2021Q3")
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[:3] == ["summary", "ministry_finance", "finance_institutions"]
    assert wb["summary"].cell(row=1, column=2).value == "2021Q3"
    mss = _row(wb["ministry_finance"], Body.objects.get(code="MSS").name_ko)
    assert mss[1:4] == [3, 2, 1]
    kdb = _row(wb["finance_institutions"], Institution.objects.get(code="KDB").name_ko)
    assert kdb[5:] == [1, 1, 10 * EOK, 6 * EOK, EOK, 5 * EOK]
    levels = wb["monitoring_levels"]
    assert levels.max_row == 1  # no inspection in 2021Q3


def _pdf_text(period: str) -> str:
    """The text WeasyPrint lays out on the report's pages, joined without spaces (a name wrapped over two
    lines of a narrow column is two text boxes)."""
    from weasyprint import HTML

    doc = HTML(string=quarterly.quarterly_html(period)).render()
    out = []
    for page in doc.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if hasattr(box, "text"):
                out.append(box.text)
            stack.extend(reversed(getattr(box, "children", [])))
    return "".join(out)


def test_pdf_holds_the_figures(world: World) -> None:
    data = quarterly.quarterly_pdf("2023Q1")
    assert data.startswith(b"%PDF")
    with translation.override("ko"):
        text = _pdf_text("2023Q1")
        assert "2023Q1" in text
        assert Body.objects.get(code="MSIT").name_ko in text
        assert Institution.objects.get(code="KODIT").name_ko in text
        assert krw_short(38 * EOK, "ko") in text  # approved to date
        assert "2023-01" in text and "2023-02" in text  # the quarter's inspections
    assert not any(m.company.name_ko in text for m in world.members)


def test_command_writes_xlsx_and_pdf(world: World, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("report", "quarter", "2022Q3", out=tmp_path / "q.xlsx", stdout=out)
    assert (tmp_path / "q.xlsx").read_bytes()[:2] == b"PK"
    call_command("report", "quarter", "2022Q3", out=tmp_path / "q.pdf", stdout=out)
    assert (tmp_path / "q.pdf").read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(
    ("period", "name", "message"),
    [
        ("2026Q5", "q.xlsx", "'2026Q5' is not a quarter"),
        ("26Q1", "q.pdf", "YYYYQn"),
        ("2026Q1", "q.csv", "must end in .xlsx or .pdf"),
    ],
)
def test_command_refuses_bad_input(tmp_path: Path, period: str, name: str, message: str) -> None:
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("report", "quarter", period, out=tmp_path / name)
    assert not (tmp_path / name).exists()


def test_command_makes_a_missing_folder(world: World, tmp_path: Path) -> None:
    call_command("report", "quarter", "2026Q1", out=tmp_path / "new" / "q.xlsx", stdout=io.StringIO())
    assert (tmp_path / "new" / "q.xlsx").read_bytes()[:2] == b"PK"
