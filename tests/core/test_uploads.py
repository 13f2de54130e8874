"""Uploads cannot exhaust memory: a ZIP-bomb workbook is refused from its ZIP directory, unparsed, on every
upload path; an oversize file is refused by its size, before anything reads it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from nic1000.core.excel import FileRefused, Sheet, XlsxLimits, check_xlsx, read_rows, xlsx_write
from nic1000.registry.models import Company, FinancialStatement
from tests.core.xlsx_bomb import xlsx_bomb


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 5 MB that unpack to 800 MB of sheet XML."""
    return xlsx_bomb(800 * 1024 * 1024)


@pytest.fixture
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to parse a workbook."""

    def parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", parse)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", parse)


def _client(user: Any) -> Client:
    # The pages' messages are read in English here (the Korean catalogue has them too).
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


# ---------------------------------------------------------------------------------------------- core.excel


def test_bomb_refused_on_unpacked_size_without_parsing(bomb: bytes, no_parser: None) -> None:
    started = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        read_rows(bomb)
    assert time.perf_counter() - started < 1.0
    assert refused.value.code == "too_large_unpacked"
    assert "unpacks to more than" in refused.value.message_en
    assert refused.value.message_ko and refused.value.message_ko != ""


def test_bomb_refused_on_compression_ratio(no_parser: None) -> None:
    data = xlsx_bomb(20 * 1024 * 1024)
    limits = XlsxLimits(max_uncompressed=10**12, max_ratio=100, max_cells=10**12)
    with pytest.raises(FileRefused) as refused:
        read_rows(data, limits=limits)
    assert refused.value.code == "compression_ratio"


def test_sheet_refused_on_declared_cells(no_parser: None) -> None:
    data = xlsx_bomb(1024, dimension="A1:Z1000000")  # 26 million cells declared
    limits = XlsxLimits(max_uncompressed=10**12, max_ratio=10**6, max_cells=5_000_000)
    with pytest.raises(FileRefused) as refused:
        check_xlsx(data, limits)
    assert refused.value.code == "too_many_cells"
    assert "26,000,000" in refused.value.message_en


def test_ordinary_workbook_passes_the_checks() -> None:
    rows = [[f"회사{i}", i, i * 1.5] for i in range(20_000)]
    data = xlsx_write([Sheet(title="s", header=["name", "n", "x"], rows=rows)])
    check_xlsx(data, XlsxLimits.from_settings())
    assert len(read_rows(data)) == 20_001


@override_settings(IMPORT_MAX_COMPRESSION_RATIO=100000, IMPORT_MAX_UNCOMPRESSED_BYTES=1000)
def test_limits_are_settings(no_parser: None) -> None:
    data = xlsx_write([Sheet(title="s", header=["a"], rows=[["x" * 2000]])])
    with pytest.raises(FileRefused) as refused:
        read_rows(data)
    assert refused.value.code == "too_large_unpacked"


# ------------------------------------------------------------------------------------------ every upload path


@pytest.mark.django_db
def test_office_import_page_refuses_the_bomb_unparsed(personas: Any, bomb: bytes, no_parser: None) -> None:
    before = Company.objects.count()
    r = _client(personas.program_office).post(
        reverse("registry:import"), {"kind": "companies", "file": SimpleUploadedFile("r.xlsx", bomb)}
    )
    assert r.status_code == 200
    assert "unpacks to more than" in r.content.decode()
    assert Company.objects.count() == before


@pytest.mark.django_db
def test_import_command_refuses_the_bomb_unparsed(bomb: bytes, no_parser: None, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with pytest.raises((CommandError, SystemExit)):
        call_command("import", "companies", str(path))
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_company_upload_refuses_the_bomb_unparsed(personas: Any, bomb: bytes, no_parser: None) -> None:
    r = _client(personas.company_a).post(
        reverse("monitoring:statement_upload"), {"file": SimpleUploadedFile("s.xlsx", bomb)}
    )
    assert r.status_code == 422
    assert "unpacks to more than" in r.content.decode()
    assert not FinancialStatement.objects.exists()


def _never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the oversize file reached the import")

    monkeypatch.setattr("nic1000.monitoring.company_side.statements_import", fail)
    monkeypatch.setattr("nic1000.registry.views.registry_import_file", fail)


@pytest.mark.django_db
@override_settings(IMPORT_MAX_BYTES=64 * 1024)
def test_company_upload_refuses_an_oversize_csv_before_reading(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _never_read(monkeypatch)
    big = b"brn,fiscal_year\n" + b"1234567890,2024\n" * 20_000  # 320 KB, five times the limit
    r = _client(personas.company_a).post(
        reverse("monitoring:statement_upload"), {"file": SimpleUploadedFile("s.csv", big)}
    )
    assert r.status_code == 422
    assert "larger than the limit of 65,536 bytes" in r.content.decode()
    assert not FinancialStatement.objects.exists()


@pytest.mark.django_db
@override_settings(IMPORT_MAX_BYTES=64 * 1024)
def test_office_import_refuses_an_oversize_file_before_reading(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _never_read(monkeypatch)
    big = b"brn,name_ko\n" + b"1234567890,x\n" * 20_000
    r = _client(personas.program_office).post(
        reverse("registry:import"), {"kind": "companies", "file": SimpleUploadedFile("r.csv", big)}
    )
    assert r.status_code == 200
    assert "larger than the limit of 65,536 bytes" in r.content.decode()


@override_settings(IMPORT_MAX_BYTES=1000)
def test_upload_handler_stops_keeping_bytes_past_the_limit() -> None:
    from nic1000.core.uploads import LimitedUploadHandler, RefusedUpload

    limited = LimitedUploadHandler()
    limited.new_file("file", "big.csv", "text/csv", 5000)
    passed = 0
    for start in range(0, 5000, 500):
        chunk = limited.receive_data_chunk(b"x" * 500, start)
        if chunk is not None:
            passed += len(chunk)
    assert passed == 1000
    done = limited.file_complete(5000)
    assert isinstance(done, RefusedUpload) and done.size == 5000 and done.read() == b""
