"""Registry import speed: a 100,000-row companies XLSX, then (optionally) 300,000 statements.

Target (issue "Foundation", item 9a): importing takes at most 3x the time of merely reading the file with
python-calamine. Figures: (a) calamine read alone, (b) `registry_import_file` into a fresh database, both in
seconds and rows/s, and the ratio b/a. Then the same re-import (all unchanged) and the statements import.

    .venv/bin/python -m bench.bench_import                 # SQLite in a temporary directory
    BENCH_DB=postgres://postgres@127.0.0.1:5432 .venv/bin/python -m bench.bench_import   # nic1000_bench_import
    BENCH_IMPORT_ROWS=20000 BENCH_STATEMENT_ROWS=0 ...    # smaller / skip statements
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
STATEMENT_ROWS = int(os.environ.get("BENCH_STATEMENT_ROWS", "300000"))


def _ksic_codes() -> list[str]:
    """Real KSIC sub-classes, half of them written with their section letter (C26112)."""
    import csv

    from nic1000.registry.reference import DATA

    with open(DATA / "ksic" / "ksic10.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == "5"]
    return [r["code"] for r in rows] + [r["section"] + r["code"] for r in rows]


def _brn(i: int) -> str:
    from nic1000.core.identifiers import brn_format, brn_make

    serial, middle, first = i % 9999 + 1, (i // 9999) % 90 + 10, 101 + i // (9999 * 90)
    return brn_format(brn_make(f"{first:03d}{middle:02d}{serial:04d}"))


def write_companies(path: Path, rows: int, seed: int = 1000) -> None:
    """A realistic companies sheet in the import template's layout (Korean + English headers)."""
    from openpyxl import Workbook

    from nic1000.registry.fields import fields_of
    from nic1000.registry.regions import REGION_SHORT_KO

    rng = random.Random(seed)
    ksic = _ksic_codes()
    regions = list(REGION_SHORT_KO.values())
    stems = ["한빛", "세진", "미래", "누리", "다온", "가온", "라온", "넥스", "퓨처", "에이스", "오름", "테라"]
    ends = ["반도체", "바이오", "소프트", "모빌리티", "소재", "에너지", "로보틱스", "마린", "메디칼", "랩스"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("기업 Companies")
    ws.append([c.header for c in fields_of("companies")])
    for i in range(rows):
        stem, end = rng.choice(stems), rng.choice(ends)
        ws.append(
            [
                _brn(i),
                f"(주){stem}{end}{i}",
                f"{stem} {end} Co., Ltd. {i}",
                rng.choice(ksic),
                rng.choice(regions),
                f"{rng.choice(regions)} 테크노로 {rng.randrange(1, 400)}",
                dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(12000)),
                int(rng.lognormvariate(3.5, 1.0)),
                "Y" if rng.random() < 0.93 else "N",
                "N" if rng.random() < 0.95 else "Y",
                f"https://www.company{i}.co.kr",
                rng.choice(["김민준", "이서연", "박도윤", "최지우", "정하준"]),
            ]
        )
    wb.save(path)


def write_statements(path: Path, rows: int, companies: int, seed: int = 2000) -> None:
    """Statements for the first companies, three fiscal years each, balanced."""
    from openpyxl import Workbook

    from nic1000.registry.fields import fields_of

    rng = random.Random(seed)
    cols = fields_of("statements")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("재무제표 Statements")
    ws.append([c.header for c in cols])
    years = (2022, 2023, 2024)
    for i in range(rows):
        company, year = i // 3 % companies, years[i % 3]
        ta = rng.randrange(1_000_000_000, 200_000_000_000)
        cash, sec, rec, inv = ta // 10, ta // 20, ta // 8, ta // 10
        ca = cash + sec + rec + inv + ta // 20
        stl, ltl = ta // 4, ta // 5
        eq = ta - stl - ltl
        sales = int(ta * rng.uniform(0.5, 1.5))
        cogs, opex = int(sales * 0.6), int(sales * 0.9)
        v = {
            "cash": cash, "short_term_securities": sec, "receivables": rec, "inventory": inv,
            "current_assets": ca, "fixed_assets": ta - ca, "total_assets": ta, "short_term_liabilities": stl,
            "long_term_liabilities": ltl, "total_liabilities": stl + ltl, "share_capital": eq // 2,
            "retained_earnings": eq - eq // 2, "equity": eq, "sales": sales, "cost_of_products_sold": cogs,
            "operating_expenses": opex, "depreciation": ta // 50, "profit_on_sales": sales - opex,
            "profit_on_operating_activities": sales - opex, "financial_expenses": ta // 100,
            "interest_expense": ta // 120, "extraordinary_items": 0, "gross_profit": sales - opex - ta // 100,
            "net_profit": int((sales - opex - ta // 100) * 0.8),
        }  # fmt: skip
        row = []
        for c in cols:
            if c.name == "brn":
                row.append(_brn(company))
            elif c.name == "fiscal_year":
                row.append(year)
            elif c.name == "credit_delinquency":
                row.append("N")
            else:
                row.append(v[c.name])
        ws.append(row)
    wb.save(path)


def _calamine_read(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    elapsed = time.perf_counter() - started
    assert len(rows) > 1
    return elapsed


_AUDIT_SECONDS = [0.0]


def _time_audit() -> None:
    """Measure the time spent in the audit trail's bulk writer separately (it is part of the import)."""
    from nic1000.registry.importing import writing

    original = writing.audit_record_many

    def timed(**kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(**kwargs)  # type: ignore[arg-type]
        finally:
            _AUDIT_SECONDS[0] += time.perf_counter() - started

    writing.audit_record_many = timed  # type: ignore[assignment]


def _import(kind: str, path: Path) -> tuple[float, object]:
    from nic1000.registry.importing import registry_import_file

    _AUDIT_SECONDS[0] = 0.0
    started = time.perf_counter()
    report = registry_import_file(
        kind=kind, file=path, filename=path.name, acting_user=None, actor_label="bench"
    )
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"bench import refused: {report.problems[:5]}")
    return elapsed, report


def _print_import(label: str, took: float, read: float, rows: int) -> None:
    audit = _AUDIT_SECONDS[0]
    print(
        f"  (b) {label:<26}{took:7.2f} s  {rows / took:8,.0f} rows/s  ratio {took / read:.2f}x (target <= 3x)"
    )
    print(
        f"      of which audit_record_many {audit:.2f} s; without it {took - audit:.2f} s = {(took - audit) / read:.2f}x"
    )


def main() -> None:
    from bench._django import describe, setup_database

    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (the figures scale with load)")
    os.environ.setdefault(
        "IMPORT_MAX_BYTES", str(1024 * 1024 * 1024)
    )  # the 300k-row statements file is ~63 MB
    os.environ.setdefault("IMPORT_MAX_CELLS", str(20_000_000))  # and 8.1 M cells
    url = setup_database(os.environ.get("BENCH_DB") or None, name="import")
    from django.db import connection

    print(f"  database: {connection.vendor} {describe(url)}")
    tmp = Path(tempfile.mkdtemp(prefix="nic1000-bench-import-"))
    path = tmp / "companies.xlsx"
    started = time.perf_counter()
    write_companies(path, ROWS)
    size = path.stat().st_size / 1e6
    print(f"  generated {ROWS:,} companies in {time.perf_counter() - started:.1f} s ({size:.1f} MB)")

    read = min(_calamine_read(path) for _ in range(3))
    print(f"  (a) calamine read alone:      {read:7.2f} s  {ROWS / read:8,.0f} rows/s")
    _time_audit()
    took, report = _import("companies", path)
    _print_import("registry_import_file:", took, read, ROWS)
    print(f"      {report}")
    again, report = _import("companies", path)
    print(
        f"  re-import (all unchanged):    {again:7.2f} s  {ROWS / again:8,.0f} rows/s  ratio {again / read:.2f}x"
    )

    if STATEMENT_ROWS:
        spath = tmp / "statements.xlsx"
        started = time.perf_counter()
        write_statements(spath, STATEMENT_ROWS, ROWS)
        size = spath.stat().st_size / 1e6
        print(
            f"  generated {STATEMENT_ROWS:,} statements in {time.perf_counter() - started:.1f} s ({size:.1f} MB)"
        )
        sread = _calamine_read(spath)
        print(f"  (a) calamine read alone:      {sread:7.2f} s  {STATEMENT_ROWS / sread:8,.0f} rows/s")
        stook, report = _import("statements", spath)
        _print_import("statements import:", stook, sread, STATEMENT_ROWS)


if __name__ == "__main__":
    main()
