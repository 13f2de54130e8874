"""Companies import: happy path, re-import no-op, updates audited with before/after, formats and encodings,
and every bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden
from nic1000.core.identifiers import brn_make
from nic1000.registry.fields import fields_of
from nic1000.registry.importing import (
    ImportReport,
    registry_import_file,
    registry_import_records,
    template_workbook,
)
from nic1000.registry.models import Company
from tests.registry.factories import brn, company_record, counts, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


def _import(data: bytes, filename: str = "companies.xlsx", user: Any = None, **kw: Any) -> ImportReport:
    return registry_import_file(
        kind="companies", file=io.BytesIO(data), filename=filename, acting_user=user, **kw
    )


def test_happy_import_creates_companies_with_audit(personas: Any) -> None:
    before = counts()
    records = [company_record(i) for i in range(1, 4)]
    report = _import(to_xlsx("companies", records), user=personas.program_office)
    assert report.ok, report.problems
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    c = Company.objects.get(brn=brn(2))
    assert c.name_ko == "가져오기기업2"
    assert c.ksic_id == "26112" and c.ksic_section == "C"
    assert c.region == "11" and c.founded_on == dt.date(2015, 3, 1) and c.employees == 45
    assert c.is_sme is True and c.is_listed is False
    after = counts()
    assert after["companies"] == before["companies"] + 3
    # One entry per created company plus one summary entry.
    assert after["audit"] == before["audit"] + 4
    entry = AuditEntry.objects.get(action="company.create", object_id=str(c.pk))
    assert entry.actor_id == personas.program_office.pk
    assert entry.changes["brn"] == {"before": None, "after": brn(2)}
    summary = AuditEntry.objects.get(action="registry.import")
    assert summary.changes["created"] == 3 and len(summary.changes["sha256"]) == 64
    assert summary.changes["filename"] == "companies.xlsx"


def test_reimport_same_file_changes_nothing(personas: Any) -> None:
    data = to_xlsx("companies", [company_record(i) for i in range(1, 4)])
    assert _import(data).created == 3
    before = counts()
    changed_at = list(Company.objects.order_by("id").values_list("updated_at", flat=True))
    report = _import(data)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    after = counts()
    # Only the summary entry: no per-row audit rows for unchanged rows.
    assert after["audit"] == before["audit"] + 1
    assert not AuditEntry.objects.filter(action="company.update").exists()
    assert list(Company.objects.order_by("id").values_list("updated_at", flat=True)) == changed_at


def test_update_import_changes_one_field_and_audits_before_after(personas: Any) -> None:
    records = [company_record(i) for i in range(1, 4)]
    _import(to_xlsx("companies", records))
    records[1]["employees"] = "1,234"  # thousands separators accepted
    report = _import(to_xlsx("companies", records), user=personas.program_office)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 1, 2)
    c = Company.objects.get(brn=brn(2))
    assert c.employees == 1234
    entry = AuditEntry.objects.get(action="company.update")
    assert entry.object_id == str(c.pk)
    assert entry.changes == {"employees": {"before": 45, "after": 1234}}


def test_missing_optional_column_leaves_field_alone(personas: Any) -> None:
    _import(to_xlsx("companies", [company_record(1, employees=77)]))
    rec = company_record(1, name_en="Renamed")
    del rec["employees"]
    report = _import(to_xlsx("companies", [rec]))
    assert report.ok and report.updated == 1
    c = Company.objects.get(brn=brn(1))
    assert c.employees == 77 and c.name_en == "Renamed"


def test_dry_run_writes_nothing_but_counts(personas: Any) -> None:
    before = counts()
    report = _import(to_xlsx("companies", [company_record(1)]), dry_run=True)
    assert report.ok and report.created == 1
    assert counts() == before


@pytest.mark.parametrize("lang", ["ko", "en", "both"])
def test_korean_english_or_both_headers(personas: Any, lang: str) -> None:
    report = _import(to_xlsx("companies", [company_record(1)], lang=lang))
    assert report.ok, report.problems
    assert report.created == 1


def test_column_names_as_headers_and_any_order(personas: Any) -> None:
    rec = company_record(1)
    names = list(reversed(list(rec)))
    report = registry_import_file(
        kind="companies",
        file=io.BytesIO(to_csv("companies", [rec], names=names, lang="name")),
        filename="c.csv",
        acting_user=None,
    )
    assert report.ok, report.problems


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr", "utf-8", "utf-8-sig"])
def test_csv_encodings(personas: Any, encoding: str) -> None:
    data = to_csv("companies", [company_record(1), company_record(2)], lang="ko", encoding=encoding)
    report = _import(data, filename="기업.csv")
    assert report.ok, report.problems
    assert Company.objects.get(brn=brn(1)).name_ko == "가져오기기업1"


def test_csv_from_korean_excel_with_excel_values(personas: Any) -> None:
    rec = company_record(1, founded_on="2015.03.01", employees="1,200", ksic="26112", region="서울특별시")
    data = to_csv("companies", [rec], lang="ko", encoding="cp949")
    report = _import(data, filename="export.csv")
    assert report.ok, report.problems
    c = Company.objects.get(brn=brn(1))
    assert c.founded_on == dt.date(2015, 3, 1) and c.employees == 1200


def test_excel_dates_numbers_and_english_region(personas: Any) -> None:
    rec = company_record(
        1, founded_on=dt.date(2012, 5, 17), employees=30.0, ksic=26112, region="Gyeonggi", is_sme=True
    )
    report = _import(to_xlsx("companies", [rec]))
    assert report.ok, report.problems
    c = Company.objects.get(brn=brn(1))
    assert c.founded_on == dt.date(2012, 5, 17) and c.region == "41" and c.employees == 30


def test_uploaded_file_and_path(personas: Any, tmp_path: Path) -> None:
    data = to_xlsx("companies", [company_record(1)])
    upload = SimpleUploadedFile("c.xlsx", data)
    assert registry_import_file(kind="companies", file=upload, filename="c.xlsx", acting_user=None).ok
    path = tmp_path / "c.xlsx"
    path.write_bytes(to_xlsx("companies", [company_record(2)]))
    assert registry_import_file(kind="companies", file=path, filename="c.xlsx", acting_user=None).created == 1


def test_template_roundtrip_imports_its_example_row(personas: Any) -> None:
    report = _import(template_workbook("companies"), filename="template.xlsx")
    assert report.ok, report.problems
    assert report.created == 1


def test_template_columns_are_documented() -> None:
    for col in fields_of("companies"):
        assert col.header_ko and col.header_en and col.type
    with pytest.raises(ValueError):
        fields_of("nonsense")


def test_records_api_for_the_demo_generator(personas: Any) -> None:
    rec = company_record(1, founded_on=dt.date(2010, 1, 1), employees=3, is_sme=True)
    report = registry_import_records(kind="companies", records=[rec], acting_user=None, source="demo")
    assert report.ok and report.created == 1
    report = registry_import_records(kind="companies", records=[{**rec, "bogus": 1}], acting_user=None)
    assert not report.ok and report.problems[0].column == "bogus"


def test_only_the_programme_office_imports(personas: Any) -> None:
    data = to_xlsx("companies", [company_record(1)])
    for user in (personas.auditor, personas.ministry_mss, personas.company_a):
        with pytest.raises(Forbidden):
            _import(data, user=user)


# ------------------------------------------------------------------------------------------ bad input


def _bad_cases() -> list[tuple[str, list[dict[str, Any]], str]]:
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    wrong_check = brn_make("123810001")[:9] + str((int(brn_make("123810001")[9]) + 1) % 10)
    return [
        ("brn check digit", [company_record(1, brn=wrong_check)], "check digit"),
        ("brn too short", [company_record(1, brn="123-45")], "10 digits"),
        ("ksic unknown", [company_record(1, ksic="99999")], "KSIC"),
        ("ksic division only", [company_record(1, ksic="26")], "5-digit"),
        ("ksic wrong section letter", [company_record(1, ksic="A26112")], "section letter"),
        ("region unknown", [company_record(1, region="Atlantis")], "province"),
        ("founded in the future", [company_record(1, founded_on=future)], "future"),
        ("not a real date", [company_record(1, founded_on="2021-02-30")], "real date"),
        ("not a date", [company_record(1, founded_on="last spring")], "not a date"),
        ("negative employees", [company_record(1, employees=-3)], "0 or more"),
        ("text in a numeric cell", [company_record(1, employees="many")], "number"),
        ("fraction of a person", [company_record(1, employees="2.5")], "whole number"),
        ("missing required value", [company_record(1, name_ko="")], "required"),
        ("bad yes/no", [company_record(1, is_sme="perhaps")], "Y or N"),
        ("bad website", [company_record(1, website="not a url")], "web address"),
        ("name too long", [company_record(1, name_ko="가" * 201)], "too long"),
        ("duplicate brn in file", [company_record(1), company_record(2), company_record(1)], "duplicate"),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("label", "records", "needle"), _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_bad_rows_refused_and_nothing_written(
    personas: Any, fmt: str, label: str, records: list[dict[str, Any]], needle: str
) -> None:
    # A good row first: it must not be written either (all or nothing).
    good = company_record(500)
    rows = [good, *records]
    data = to_xlsx("companies", rows) if fmt == "xlsx" else to_csv("companies", rows)
    before = counts()
    report = _import(data, filename=f"bad.{fmt}")
    assert not report.ok
    assert counts() == before
    assert report.created == report.updated == 0
    assert any(needle.lower() in p.message_en.lower() for p in report.problems), report.problems
    p = report.problems[0]
    assert p.row >= 2 and p.column and p.message_ko
    assert not Company.objects.filter(brn=brn(500)).exists()


def test_problem_names_row_column_and_value(personas: Any) -> None:
    rows = [company_record(1), company_record(2, employees="many")]
    report = _import(to_xlsx("companies", rows))
    (p,) = report.problems
    assert (p.row, p.value) == (3, "many")
    assert p.column == "종업원 수 (Employees)"


def test_existing_rows_untouched_when_file_has_a_problem(personas: Any) -> None:
    _import(to_xlsx("companies", [company_record(1, employees=10)]))
    before = counts()
    report = _import(to_xlsx("companies", [company_record(1, employees=99), company_record(2, ksic="00000")]))
    assert not report.ok
    assert counts() == before
    assert Company.objects.get(brn=brn(1)).employees == 10


def test_unknown_and_missing_columns_are_named(personas: Any) -> None:
    rec = company_record(1)
    del rec["ksic"], rec["founded_on"]
    rec["favourite colour"] = "blue"
    before = counts()
    report = _import(to_xlsx("companies", [rec]))
    assert counts() == before
    text = " ".join(f"{p.column} {p.message_en}" for p in report.problems)
    assert "favourite colour" in text
    assert "KSIC code" in text and "Founded on" in text
    assert all(p.row in (0, 1) for p in report.problems)


def test_duplicate_column_refused(personas: Any) -> None:
    rec = company_record(1)
    data = to_csv("companies", [rec], names=[*rec, "brn"])
    report = _import(data, filename="dup.csv")
    assert not report.ok and "twice" in report.problems[0].message_en


@pytest.mark.parametrize(
    ("label", "data", "needle"),
    [
        ("empty", b"", "empty"),
        ("blank", b"  \n\n", "empty"),
        ("pdf", b"%PDF-1.7\n" + b"\x00" * 100, "not an XLSX or CSV"),
        ("png named xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not an XLSX or CSV"),
        ("legacy xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
        ("zip that is not xlsx", None, "not an Excel workbook"),
        ("damaged zip", b"PK\x03\x04garbage", "damaged"),
        ("binary", bytes(range(256)) * 4, "not an XLSX or CSV"),
    ],
)
def test_files_that_are_not_tables(personas: Any, label: str, data: bytes | None, needle: str) -> None:
    if data is None:
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        data = buf.getvalue()
    before = counts()
    report = _import(data, filename="companies.xlsx")
    assert not report.ok and counts() == before
    assert needle.lower() in report.problems[0].message_en.lower(), report.problems
    assert report.problems[0].row == 0


def test_header_only_file(personas: Any) -> None:
    data = to_xlsx("companies", [company_record(1)])
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    wb.active.delete_rows(2)
    buf = io.BytesIO()
    wb.save(buf)
    report = _import(buf.getvalue())
    assert not report.ok and "no data rows" in report.problems[0].message_en


def test_file_over_the_size_limit_refused_before_reading(personas: Any, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1000

    class Unreadable(io.BytesIO):
        def read(self, *args: Any) -> bytes:  # the file must not be read at all
            raise AssertionError("read before the size check")

    data = to_xlsx("companies", [company_record(i) for i in range(1, 30)])
    assert len(data) > 1000
    before = counts()
    report = registry_import_file(
        kind="companies", file=Unreadable(data), filename="big.xlsx", acting_user=None
    )
    assert not report.ok and "larger than the limit" in report.problems[0].message_en
    upload = SimpleUploadedFile("big.xlsx", data)
    assert not registry_import_file(kind="companies", file=upload, filename="big.xlsx", acting_user=None).ok
    assert counts() == before


def test_many_problems_are_capped(personas: Any) -> None:
    from nic1000.registry import importing

    rows = [company_record(i, employees="x", ksic="1") for i in range(1, 700)]
    report = _import(to_csv("companies", rows), filename="many.csv")
    assert len(report.problems) == importing.MAX_PROBLEMS
    assert report.problem_count == 2 * 699
