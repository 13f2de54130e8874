"""The registry's company list at programme scale: 100,000 companies and 300,000 statements.

Measures the page as the programme office uses it (Django test Client, signed in): median and p95 over
200 requests mixing pages, filters and searches, plus the query count at page sizes 20/50/100 (it must not
grow with the page size). Runs on SQLite and, when reachable, on PostgreSQL (BENCH_PG_URL, or
postgres://postgres@127.0.0.1:5432). Each database runs in its own process (settings are read at start-up).

Set BENCH_KEEP_DIR=/some/dir to keep the populated databases (SQLite file there, PostgreSQL database
nic_bench_registry) and reuse them on the next run.

Setup speed: the rows are bulk-inserted with `bulk_create` directly, not through the import service — the
bench measures reading, and the import has its own bench. Target: p95 ≤ 150 ms.

    .venv/bin/python -m bench.bench_company_list            # both databases
    .venv/bin/python -m bench.bench_company_list --db URL   # one database (used internally)
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Pages are rendered in this process without collectstatic: static names from the sources, as in the tests.
os.environ.setdefault("NIC1000_STATIC_MANIFEST", "0")
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "100000"))
STATEMENTS_PER_COMPANY = 3
REQUESTS = 200
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nic_bench_registry"


def _pg_url() -> str | None:
    url = os.environ.get("BENCH_PG_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return PG_DEFAULT
    except OSError:
        return None


def _reuse_database(url: str) -> bool:
    """BENCH_KEEP_DIR set: reuse a database a previous run populated (minutes of setup on a slow machine)."""
    if not os.environ.get("BENCH_KEEP_DIR"):
        return False
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        _setup_database(url, fresh=False)
        return False
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    from nic1000.registry.models import Company

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Company.objects.count() >= COMPANIES


def _setup_database(url: str, *, fresh: bool = True) -> None:
    """Point Django at `url`, start it, create a fresh schema (bench/_django.py's helper when present)."""
    if not fresh:
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        return
    try:
        from bench._django import setup_database  # written by the registry-services bench

        setup_database(url)
        return
    except ImportError:
        pass
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _populate() -> Any:
    from django.db import transaction
    from tests.factories import statement_values

    from nic1000.accounts.models import User
    from nic1000.core.identifiers import brn_make
    from nic1000.registry.models import Company, FinancialStatement, KsicCode
    from nic1000.registry.regions import Region

    rng = random.Random(1000)
    ksic = list(KsicCode.objects.filter(level=5).values_list("code", "section"))
    regions = [r for r, _ in Region.choices]
    region_w = [30 if r in ("11", "41") else 3 for r in regions]
    stems = ["한빛", "세진", "미래", "누리", "다온", "가온", "라온", "넥스", "퓨처", "에이스", "오름", "테라"]
    ends = ["반도체", "바이오", "소프트", "모빌리티", "소재", "에너지", "로보틱스", "마린", "메디칼", "랩스"]
    started = time.perf_counter()
    rows = []
    for i in range(COMPANIES):
        code, section = ksic[rng.randrange(len(ksic))]
        name = f"{rng.choice(stems)}{rng.choice(ends)}{i}"
        rows.append(
            Company(
                name_ko=name,
                name_en=f"Company {i}",
                brn=brn_make(f"{100 + i // 100_000:03d}{81 + (i // 10_000) % 10:02d}{i % 10_000:04d}"),
                ksic_id=code,
                ksic_section=section,
                region=rng.choices(regions, region_w)[0],
                founded_on=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000)),
                employees=int(rng.lognormvariate(3.5, 1.0)),
                is_sme=rng.random() < 0.93,
            )
        )
    with transaction.atomic():
        Company.objects.bulk_create(rows, batch_size=5000)
    ids = list(Company.objects.values_list("id", flat=True))
    base_values = statement_values()
    with transaction.atomic():
        batch = []
        for cid in ids:
            for year in range(2025 - STATEMENTS_PER_COMPANY + 1, 2026):
                batch.append(
                    FinancialStatement(company_id=cid, fiscal_year=year, source="demo", **base_values)
                )
            if len(batch) >= 20_000:
                FinancialStatement.objects.bulk_create(batch, batch_size=5000)
                batch = []
        FinancialStatement.objects.bulk_create(batch, batch_size=5000)
    user = User.objects.create(username="bench_po", role="program_office", is_staff=True, is_superuser=True)
    # Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would have them in use.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  setup: {Company.objects.count():,} companies, {FinancialStatement.objects.count():,} statements "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return user


KINDS = ("first page", "deep page", "section", "region+SME", "size", "name search", "BRN search", "combined")


def _urls(rng: random.Random) -> list[str]:
    from django.urls import reverse

    base = reverse("registry:company_list")
    sections = "ACCCCCJJJMMEDG"
    out = []
    for _ in range(REQUESTS):
        kind = rng.randrange(8)
        if kind == 0:
            out.append(base)
        elif kind == 1:
            out.append(f"{base}?page={rng.randrange(1, 400)}")
        elif kind == 2:
            out.append(f"{base}?ksic_section={rng.choice(sections)}&page={rng.randrange(1, 30)}")
        elif kind == 3:
            out.append(f"{base}?region={rng.choice(['11', '41', '30', '26'])}&sme=yes")
        elif kind == 4:
            out.append(f"{base}?size={rng.choice(['micro', 'small', 'medium', 'large'])}&page_size=50")
        elif kind == 5:
            out.append(f"{base}?q={rng.choice(['한빛', '미래', '바이오', '반도체'])}")
        elif kind == 6:
            out.append(f"{base}?q=10081{rng.randrange(10000):04d}")
        else:
            out.append(f"{base}?ksic_section=C&region=41&sme=yes&page_size=100&page=2")
    return out


def _kind(url: str) -> str:
    query = url.partition("?")[2]
    if not query:
        return "first page"
    if query.startswith("page="):
        return "deep page"
    if query.startswith("q=10081"):
        return "BRN search"
    if query.startswith("q="):
        return "name search"
    if "region=41" in query and "ksic_section=C" in query:
        return "combined"
    if query.startswith("ksic_section"):
        return "section"
    if query.startswith("region"):
        return "region+SME"
    return "size"


def run_one(url: str) -> None:
    label = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n-- {label}")
    reused = _reuse_database(url)
    if not os.environ.get("BENCH_KEEP_DIR"):
        _setup_database(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if reused:
        from nic1000.accounts.models import User

        user = User.objects.get(username="bench_po")
        print("  reusing the populated database (BENCH_KEEP_DIR)")
    else:
        user = _populate()
    client = Client()
    client.force_login(user)
    for u in _urls(random.Random(1))[:10]:  # warm up caches and connections
        client.get(u)
    timings = []
    by_kind: dict[str, list[float]] = {}
    for u in _urls(random.Random(2)):
        started = time.perf_counter()
        response = client.get(u)
        ms = (time.perf_counter() - started) * 1000
        timings.append(ms)
        by_kind.setdefault(_kind(u), []).append(ms)
        if response.status_code != 200:
            raise RuntimeError(f"{u}: HTTP {response.status_code}")
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"  {len(timings)} requests: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms (target p95 ≤ 150 ms: {'met' if p95 <= 150 else 'NOT met'})"
    )
    for kind, values in by_kind.items():
        print(
            f"    {kind:<12} n={len(values):>3} median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms"
        )
    htmx = []
    for u in _urls(random.Random(3))[:50]:
        started = time.perf_counter()
        client.get(u, headers={"HX-Request": "true"})
        htmx.append((time.perf_counter() - started) * 1000)
    print(f"  HTMX partial: median {statistics.median(htmx):.1f} ms")
    counts = []
    for size in (20, 50, 100):
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/registry/?page_size={size}&page=3")
        counts.append(len(ctx.captured_queries))
        print(f"  queries at page size {size}: {len(ctx.captured_queries)}")
    print(f"  query count constant across page sizes: {len(set(counts)) == 1}")


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=f"{here}{os.pathsep}{here / 'src'}")
    keep = os.environ.get("BENCH_KEEP_DIR")
    with tempfile.TemporaryDirectory(prefix="nic_bench_registry") as tmp_dir:
        tmp = keep or tmp_dir
        Path(tmp).mkdir(parents=True, exist_ok=True)
        targets = [f"sqlite:///{tmp}/bench.sqlite3"]
        pg = _pg_url()
        if pg:
            targets.append(pg)
        else:
            print("PostgreSQL not reachable (set BENCH_PG_URL): SQLite only")
        for url in targets:
            subprocess.run(
                [sys.executable, "-m", "bench.bench_company_list", "--db", url],
                check=False,
                cwd=here,
                env=dict(env, NIC1000_DATA_DIR=tmp),
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--db":
        run_one(sys.argv[2])
    else:
        main()
