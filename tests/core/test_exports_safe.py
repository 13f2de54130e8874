"""No formula reaches a spreadsheet: every export (registry XLSX and CSVs, import templates, finance workbook,
public selection) is downloaded with names a spreadsheet would evaluate, and no cell is a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from nic1000.core.excel import FORMULA_PREFIXES, Sheet, csv_write, xlsx_write
from nic1000.registry.fields import KINDS
from nic1000.rounds.services.publication import round_publish
from tests.factories import CompanyFactory, CoreTechnologyFactory, PatentFactory
from tests.finance.factories import make_application
from tests.rounds.factories import make_selecting_round

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]

# XML reads a carriage return back as a line feed.
_NEUTRALISED = {"'" + d for d in DANGEROUS} | {"'" + d.replace("\r", "\n") for d in DANGEROUS}

pytestmark = pytest.mark.django_db


def _assert_xlsx_safe(content: bytes, what: str) -> int:
    """Every cell of every sheet is a value, none a formula; returns how many dangerous texts were seen."""
    wb = load_workbook(io.BytesIO(content))
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (
                    f"{what}: {ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                )
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), (
                        f"{what}: {ws.title}!{cell.coordinate} starts like a formula: {cell.value!r}"
                    )
                    seen += cell.value in _NEUTRALISED
    return seen


def _assert_csv_safe(content: bytes, what: str) -> int:
    seen = 0
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        for value in row:
            assert not value.startswith(FORMULA_PREFIXES), f"{what}: {value!r} starts like a formula"
            seen += value in _NEUTRALISED
    return seen


@pytest.fixture
def dangerous_data(personas: Any) -> Any:
    """Companies, patents, technologies, finance applications and a published selection named like formulas."""
    companies = [CompanyFactory(name_ko=d, name_en=d, representative=d) for d in DANGEROUS]
    for c, d in zip(companies, DANGEROUS, strict=True):
        PatentFactory(company=c, title=d)
        CoreTechnologyFactory(company=c, name=d)
        make_application(c)
    rnd = make_selecting_round(acting_user=personas.program_office, n=len(DANGEROUS), selected=len(DANGEROUS))
    for cand, d in zip(rnd.candidacies.order_by("rank"), DANGEROUS, strict=True):
        cand.company.name_ko = d
        cand.company.save()
    round_publish(round=rnd, acting_user=personas.program_office)
    return rnd


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_every_download_is_formula_free(personas: Any, dangerous_data: Any) -> None:
    office = _client(personas.program_office)
    downloads = {
        "registry export": office.get(reverse("registry:export")),
        "finance export": office.get(reverse("finance:export")),
        "public selection": Client().get(
            reverse("rounds:public_selection_xlsx", kwargs={"pk": dangerous_data.pk})
        ),
        **{f"{k} template": office.get(reverse("registry:template", kwargs={"kind": k})) for k in KINDS},
    }
    seen = {}
    for what, response in downloads.items():
        assert response.status_code == 200, what
        seen[what] = _assert_xlsx_safe(response.content, what)
    # The dangerous names really were in the exports that show names (neutralised, not dropped).
    assert seen["registry export"] >= 3 * len(DANGEROUS)
    assert seen["finance export"] >= len(DANGEROUS)
    assert seen["public selection"] == len(DANGEROUS)


def test_every_command_export_is_formula_free(dangerous_data: Any, tmp_path: Path) -> None:
    out = tmp_path / "registry.xlsx"
    call_command("export", "registry", str(out))
    assert _assert_xlsx_safe(out.read_bytes(), "export registry xlsx") >= 3 * len(DANGEROUS)
    for kind in KINDS:
        path = tmp_path / f"{kind}.csv"
        call_command("export", "registry", str(path), "--kind", kind)
        _assert_csv_safe(path.read_bytes(), f"export {kind} csv")
    assert _assert_csv_safe((tmp_path / "companies.csv").read_bytes(), "companies") >= len(DANGEROUS)


def test_the_writer_neutralises_every_kind_of_text() -> None:
    """Lazy translations and str subclasses are text too; numbers with formats are left alone."""

    class Name(str):
        pass

    rows = [[d, Name(d), gettext_lazy("=1+1"), 5, None] for d in DANGEROUS]
    content = xlsx_write(
        [Sheet(title="=x", header=["=h", "+h", "@h", "n", "e"], rows=rows, number_formats={3: "0"})]
    )
    assert _assert_xlsx_safe(content, "writer") == 2 * len(DANGEROUS)
    assert _assert_csv_safe(csv_write(["=h"], rows), "csv writer") == 2 * len(DANGEROUS)
