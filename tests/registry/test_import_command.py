"""`nic1000 import ...` and `nic1000 export registry ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from nic1000.audit.models import AuditEntry
from nic1000.registry.models import Company
from tests.registry.factories import brn, company_record, counts, to_xlsx

pytestmark = pytest.mark.django_db


def test_import_command_as_programme_office(personas: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(to_xlsx("companies", [company_record(1), company_record(2)]))
    call_command("import", "companies", str(path), "--as", "po")
    assert "2 created" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="company.create", actor=personas.program_office).count() == 2


def test_import_command_dry_run_and_cli_actor(personas: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(to_xlsx("companies", [company_record(1)]))
    before = counts()
    call_command("import", "companies", str(path), "--dry-run")
    assert "DRY RUN" in capsys.readouterr().out and counts() == before
    call_command("import", "companies", str(path))
    assert AuditEntry.objects.get(action="company.create").actor_label == "cli"


def test_import_command_fails_with_problems(personas: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(to_xlsx("companies", [company_record(1), company_record(2, employees="many")]))
    before = counts()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", "companies", str(path))
    assert "row 3" in capsys.readouterr().err
    assert counts() == before
    with pytest.raises(CommandError, match="not a programme-office"):
        call_command("import", "companies", str(path), "--as", "auditor")


def test_export_command(personas: Any, tmp_path: Path) -> None:
    out = tmp_path / "registry.xlsx"
    call_command("export", "registry", str(out))
    wb = load_workbook(out)
    assert len(wb.worksheets) == 4
    assert wb.worksheets[0].max_row == Company.objects.count() + 1
    call_command("export", "registry", str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert brn(1)  # the helper stays importable
