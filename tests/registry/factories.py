"""Spreadsheets for import tests: rows in the template layout, written as XLSX or CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from nic1000.audit.models import AuditEntry
from nic1000.core.identifiers import brn_format, brn_make
from nic1000.registry.fields import fields_of
from nic1000.registry.models import Company, CoreTechnology, FinancialStatement, Patent
from tests.factories import statement_values


def brn(i: int) -> str:
    """A valid BRN, distinct from CompanyFactory's (which use 81 in the middle)."""
    return brn_make(f"{200 + i % 700:03d}86{i % 10_000:04d}".replace("0000", "0001"))


def company_record(i: int = 1, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "brn": brn_format(brn(i)),
        "name_ko": f"가져오기기업{i}",
        "name_en": f"Import Co {i}",
        "ksic": "C26112",
        "region": "서울",
        "address": "서울특별시 중구 세종대로 110",
        "founded_on": "2015-03-01",
        "employees": 45,
        "is_sme": "Y",
        "is_listed": "N",
        "website": "https://www.example.co.kr",
        "representative": "홍길동",
    }
    rec.update(overrides)
    return rec


def statement_record(brn_value: str, year: int = 2024, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"brn": brn_value, "fiscal_year": year, "credit_delinquency": "N"}
    rec.update(statement_values())
    rec.update(overrides)
    return rec


def patent_record(brn_value: str, n: int = 1, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "brn": brn_value,
        "application_number": f"10-2021-{n:07d}",
        "title": "저전력 반도체 설계 방법",
        "filed_on": "2021-01-10",
        "granted_on": "2022-06-01",
        "claims": 12,
    }
    rec.update(overrides)
    return rec


def technology_record(brn_value: str, name: str = "AI 반도체", **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"brn": brn_value, "name": name, "trl": 6, "keywords": "NPU"}
    rec.update(overrides)
    return rec


def _keys(records: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for rec in records for k in rec))


def header(kind: str, names: Sequence[str], lang: str = "both") -> list[str]:
    cols = {c.name: c for c in fields_of(kind)}
    out = []
    for n in names:
        c = cols.get(n)
        if c is None or lang == "name":
            out.append(n)
        elif lang == "ko":
            out.append(c.header_ko)
        elif lang == "en":
            out.append(c.header_en)
        else:
            out.append(c.header)
    return out


def to_xlsx(
    kind: str, records: list[dict[str, Any]], lang: str = "both", names: Sequence[str] | None = None
) -> bytes:
    names = list(names or _keys(records))
    wb = Workbook()
    ws = wb.active
    ws.append(header(kind, names, lang))
    for rec in records:
        ws.append([rec.get(n) for n in names])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(
    kind: str,
    records: list[dict[str, Any]],
    lang: str = "both",
    encoding: str = "utf-8",
    names: Sequence[str] | None = None,
) -> bytes:
    names = list(names or _keys(records))
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header(kind, names, lang))
    for rec in records:
        w.writerow(["" if rec.get(n) is None else rec.get(n) for n in names])
    return buf.getvalue().encode(encoding)


def counts() -> dict[str, int]:
    """Everything an import may write, to prove that a refused import wrote nothing."""
    return {
        "companies": Company.objects.count(),
        "patents": Patent.objects.count(),
        "technologies": CoreTechnology.objects.count(),
        "statements": FinancialStatement.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
