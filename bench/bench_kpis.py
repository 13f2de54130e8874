"""Programme KPIs at national scale (a fresh temporary database; SQLite unless BENCH_DATABASE_URL is set).

100,000 companies, 1,200 designations over five rounds (some removed), 30,000 approved applications with
20,000 disbursements, monthly inspections of every designation for 24 months and a year of monthly surveys, all
bulk-inserted. Measures: each KPI page's tables (queries and time), the public summary, the Excel workbook of
every table, and the quarterly report as xlsx and pdf. Figures only; nothing is asserted.

    .venv/bin/python -m bench kpis
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

COMPANIES = int(os.environ.get("BENCH_KPIS_COMPANIES", "100000"))
DESIGNATED = int(os.environ.get("BENCH_KPIS_DESIGNATED", "1200"))
APPLICATIONS = int(os.environ.get("BENCH_KPIS_APPLICATIONS", "30000"))


def _load() -> None:
    from django.utils import timezone

    from nic1000.designations.models import Membership
    from nic1000.finance.models import Application, Disbursement, Product
    from nic1000.monitoring.models import InspectionResult, InspectionRun, MonthlySurvey
    from nic1000.registry.models import Body, Company, KsicCode
    from nic1000.rounds.models import Program, Round

    rng = random.Random(14)
    seoul = timezone.get_current_timezone()
    ksic = KsicCode.objects.get(code="26112")
    regions = ["11", "26", "27", "41", "30", "44"]
    Company.objects.bulk_create(
        (
            Company(
                name_ko=f"벤치기업{i}",
                brn=f"{1000000000 + i}",
                ksic=ksic,
                ksic_section=ksic.section,
                region=regions[i % len(regions)],
                founded_on=dt.date(1995 + i % 29, 1 + i % 12, 1),
                is_sme=i % 13 != 0,
            )
            for i in range(COMPANIES)
        ),
        batch_size=5000,
    )
    company_ids = list(Company.objects.order_by("id").values_list("id", flat=True)[:DESIGNATED])
    program = Program.objects.create(name_ko="p", name_en="p", starts_on=dt.date(2020, 7, 1))
    days = [
        dt.date(2020, 8, 1),
        dt.date(2020, 11, 20),
        dt.date(2021, 5, 20),
        dt.date(2021, 12, 10),
        dt.date(2022, 10, 5),
    ]
    rounds = [
        Round.objects.create(
            program=program,
            number=n + 1,
            name=f"{n + 1}차",
            state="published",
            published_at=dt.datetime.combine(d, dt.time(10), tzinfo=seoul),
        )
        for n, d in enumerate(days)
    ]
    bodies = list(Body.objects.all())
    members = []
    for i, cid in enumerate(company_ids):
        r = min(i * len(rounds) // len(company_ids), len(rounds) - 1)
        removed = i % 40 == 0 and r < 4
        members.append(
            Membership(
                company_id=cid,
                round=rounds[r],
                body=bodies[i % len(bodies)],
                sector=["semiconductor", "biohealth", "future_car", "ict"][i % 4],
                selected_on=days[r],
                status="removed" if removed else "active",
                ended_on=days[r] + dt.timedelta(days=120) if removed else None,
            )
        )
    Membership.objects.bulk_create(members, batch_size=2000)
    members = list(Membership.objects.order_by("id"))
    products = list(Product.objects.select_related("institution"))
    apps = []
    start = dt.datetime(2021, 1, 1, 10, tzinfo=seoul)
    for n in range(APPLICATIONS):
        m = members[n % len(members)]
        p = products[n % len(products)]
        decided = start + dt.timedelta(hours=rng.randrange(0, 5 * 365 * 24))
        amount = rng.randrange(1, 50) * 100_000_000
        apps.append(
            Application(
                company_id=m.company_id,
                membership=m,
                channel="direct",
                product=p,
                institution=p.institution,
                purpose=p.kind,
                amount_requested=amount,
                limit_krw=amount * 2,
                state="disbursing" if n % 3 else "approved",
                approved_amount=amount,
                decided_at=decided,
                disbursed_total=amount if n % 3 else 0,
                created_at=decided - dt.timedelta(days=20),
                updated_at=decided,
            )
        )
    Application.objects.bulk_create(apps, batch_size=2000)
    Disbursement.objects.bulk_create(
        (
            Disbursement(
                application=a, amount=a.disbursed_total, on=a.decided_at.date(), created_at=a.decided_at
            )
            for a in Application.objects.filter(disbursed_total__gt=0).only(
                "id", "disbursed_total", "decided_at"
            )
        ),
        batch_size=2000,
    )
    now = timezone.now()
    levels = ["normal"] * 17 + ["watch", "warning", "critical"]
    for k in range(24):
        period = f"{2024 + k // 12}-{k % 12 + 1:02d}"
        run = InspectionRun.objects.create(period=period, status="done", created_at=now)
        InspectionResult.objects.bulk_create(
            (
                InspectionResult(
                    run=run,
                    period=period,
                    company_id=m.company_id,
                    membership=m,
                    level=levels[rng.randrange(20)],
                )
                for m in members
            ),
            batch_size=2000,
        )
        if k >= 12:
            MonthlySurvey.objects.bulk_create(
                (
                    MonthlySurvey(
                        company_id=m.company_id, period=period, support_status="received", submitted_at=now
                    )
                    for m in members
                    if rng.random() < 0.7
                ),
                batch_size=2000,
            )


def _timed(label: str, fn: object) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        result = fn()  # type: ignore[operator]
        took = time.perf_counter() - t
    size = f", {len(result):,} bytes" if isinstance(result, bytes) else ""
    print(f"{label}: {took * 1000:,.0f} ms, {len(ctx)} queries{size}", flush=True)


def main() -> None:
    from bench._django import setup_database

    setup_database(os.environ.get("BENCH_DATABASE_URL"), name="kpis")
    t = time.perf_counter()
    _load()
    print(
        f"loaded {COMPANIES:,} companies, {DESIGNATED:,} designations, {APPLICATIONS:,} applications "
        f"in {time.perf_counter() - t:.1f} s",
        flush=True,
    )

    from django.test import Client

    from nic1000.accounts.models import User
    from nic1000.reports import quarterly, tables

    for page in tables.PAGES:
        _timed(f"tables of the {page} page", lambda page=page: tables.page_tables(page))
    client = Client()
    client.force_login(User.objects.create(username="po", role="program_office"))
    client.get(
        "/programme/monitoring/", HTTP_HOST="127.0.0.1"
    )  # warm-up: the process's first request loads it all
    for url in ("/programme/", "/programme/finance/", "/programme/monitoring/", "/programme/export/all.xlsx"):
        _timed(f"GET {url}", lambda url=url: client.get(url, HTTP_HOST="127.0.0.1").content)
    anonymous = Client()
    _timed(
        "GET /programme/summary/ (not cached)",
        lambda: anonymous.get("/programme/summary/", HTTP_HOST="127.0.0.1").content,
    )
    _timed(
        "GET /programme/summary/ (cached)",
        lambda: anonymous.get("/programme/summary/", HTTP_HOST="127.0.0.1").content,
    )
    _timed("quarterly report 2025Q3 xlsx", lambda: quarterly.quarterly_xlsx("2025Q3"))
    _timed("quarterly report 2025Q3 pdf", lambda: quarterly.quarterly_pdf("2025Q3"))


if __name__ == "__main__":
    main()
