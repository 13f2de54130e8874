"""Monitoring inspection at programme scale: 100,000 active companies with three years of statements.

Setup (not timed): a fresh PostgreSQL database (`bench/_django.py` `setup_database`, database
`nic1000_bench_inspection`), then companies, statements (three fiscal years each, 2023–2025, one of
30 balanced templates per company: profitable, loss-making, high debt, negative equity, sales collapse), core technologies
for a third of them, one published round and one active membership per company — all with `bulk_create`, not
through the services (the bench measures the inspection; the import has its own bench).

Timed: `monitoring.services.inspection_run` for one period, exactly as the worker's task runs it, with the
shares spent reading (values_list into pandas), computing ratios (vectorised), scoring (LightGBM +
explanations) and writing (bulk upsert, cases, progress marker, one audit entry per chunk). Then the model's
raw scoring throughput (rows/s) on the same features. Target: < 60 s for 100k companies.

    .venv/bin/python -m bench.bench_inspection                 # PostgreSQL at 127.0.0.1:5432
    BENCH_PG_URL=postgres://user@host:5432 BENCH_COMPANIES=20000 .venv/bin/python -m bench.bench_inspection
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "100000"))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PERIOD = "2026-05"


def _templates() -> list[dict[str, int]]:
    from tests.factories import statement_values

    out = []
    for i in range(30):
        scale = 10 ** (8 + i % 4) * (1 + i % 7)
        v = statement_values(scale, loss=i % 3 == 0)
        if i % 5 == 0:  # high debt
            v["total_liabilities"] = int(scale * 0.92)
            v["short_term_liabilities"] = int(scale * 0.5)
            v["long_term_liabilities"] = v["total_liabilities"] - v["short_term_liabilities"]
            v["equity"] = scale - v["total_liabilities"]
            v["retained_earnings"] = v["equity"] - v["share_capital"]
        if i % 11 == 0:  # negative equity
            v["total_liabilities"] = int(scale * 1.1)
            v["long_term_liabilities"] = v["total_liabilities"] - v["short_term_liabilities"]
            v["equity"] = scale - v["total_liabilities"]
            v["retained_earnings"] = v["equity"] - v["share_capital"]
        out.append(v)
    return out


def _populate() -> None:
    import numpy as np
    from django.db import transaction

    from nic1000.core.identifiers import brn_make
    from nic1000.registry.models import Body, Company, CoreTechnology, FinancialStatement
    from nic1000.rounds.models import Membership, Program, Round

    started = time.perf_counter()
    rng = np.random.default_rng(1000)
    rows = [
        Company(
            name_ko=f"점검기업{i}",
            name_en=f"Inspected {i}",
            brn=brn_make(f"{100 + i // 100_000:03d}{81 + (i // 10_000) % 10:02d}{i % 10_000:04d}"),
            ksic_id="26112",
            ksic_section="C",
            region="11",
            founded_on=dt.date(2015, 1, 1),
        )
        for i in range(COMPANIES)
    ]
    with transaction.atomic():
        Company.objects.bulk_create(rows, batch_size=5000)
    ids = list(Company.objects.order_by("id").values_list("id", flat=True))
    templates = _templates()
    # One profile per company, the same for its three years (a company does not change profile every year).
    pick = rng.integers(0, len(templates), size=len(ids))
    picks = np.repeat(pick[:, None], 3, axis=1)
    with transaction.atomic():
        batch: list[Any] = []
        for n, cid in enumerate(ids):
            for k, year in enumerate((2023, 2024, 2025)):
                batch.append(
                    FinancialStatement(
                        company_id=cid, fiscal_year=year, source="demo", **templates[picks[n, k]]
                    )
                )
            if len(batch) >= 30_000:
                FinancialStatement.objects.bulk_create(batch, batch_size=10_000)
                batch = []
        FinancialStatement.objects.bulk_create(batch, batch_size=10_000)
        CoreTechnology.objects.bulk_create(
            [
                CoreTechnology(company_id=cid, name="core", trl=int(rng.integers(3, 10)))
                for cid in ids
                if cid % 3 == 0
            ],
            batch_size=10_000,
        )
        program = Program.objects.create(name_ko="혁신기업", name_en="NIC1000", starts_on=dt.date(2020, 7, 1))
        rnd = Round.objects.create(program=program, number=1, name="1차", state="published")
        bodies = list(Body.objects.values_list("id", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(
                    company_id=cid,
                    round=rnd,
                    body_id=bodies[cid % len(bodies)],
                    selected_on=dt.date(2025, 1, 1),
                )
                for cid in ids
            ],
            batch_size=10_000,
        )
    print(
        f"  setup: {len(ids):,} companies, {FinancialStatement.objects.count():,} statements, "
        f"{Membership.objects.count():,} active memberships in {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    from bench._django import describe, setup_database

    if os.environ.get("BENCH_REUSE"):  # the populated database of a previous run: only the inspection again
        url = PG.rstrip("/") + "/nic1000_bench_inspection"
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
        import django

        django.setup()
        from nic1000.monitoring.models import EarlyWarningModel, InspectionRun, SupportCase

        SupportCase.objects.all().delete()
        InspectionRun.objects.all().delete()
        EarlyWarningModel.objects.all().delete()
        print(f"-- inspection bench on {describe(url)} (reused database)")
    else:
        url = setup_database(PG, name="inspection")
        print(f"-- inspection bench on {describe(url)} ({COMPANIES:,} companies)")
        _populate()

    import numpy as np
    import pandas as pd

    from nic1000.algorithms import early_warning as ew
    from nic1000.monitoring import engine
    from nic1000.monitoring.models import InspectionResult, SupportCase
    from nic1000.monitoring.services import inspection_run, model_in_use

    if not ew.default_model_path().is_file():  # fresh checkout before the default model is trained
        fallback = os.environ.get("BENCH_EWS_MODEL", "/tmp/nic_monitoring_small.json")
        print(f"  (shipped default model missing; using {fallback})")
        from nic1000.monitoring.services import model_activate

        model_activate(path=fallback, acting_user=None, note="bench fallback")
    model = model_in_use()  # load once, outside the timing (a worker keeps it loaded)
    print(
        f"  model: {len(model.model.boosters)} boosters, {sum(b.num_trees() for b in model.model.boosters)} trees"
    )
    timing = engine.Timing()
    started = time.perf_counter()
    run = inspection_run(period=PERIOD, acting_user=None, timing=timing)
    total = time.perf_counter() - started
    parts = {
        "reading": timing.read,
        "ratios": timing.ratios,
        "scoring": timing.score,
        "explaining (warning+)": timing.explain,
        "rules": timing.extra.get("rules", 0.0),
        "writing": timing.write,
    }
    other = max(0.0, total - sum(parts.values()))
    print(
        f"  inspection {run.period}: {run.processed:,} companies in {total:.1f} s "
        f"({'met' if total < 60 else 'NOT met'}: target < 60 s), {run.chunks_done} chunks"
    )
    for name, sec in [*parts.items(), ("other (claim, finish, chase)", other)]:
        print(f"    {name:<28} {sec:7.2f} s  {100 * sec / total:5.1f} %")
    print(f"  levels: {dict(sorted(run.counts.items()))}; cases opened: {SupportCase.objects.count():,}")
    print(f"  results stored: {InspectionResult.objects.filter(period=PERIOD).count():,}")

    # Re-run: idempotent, returns at once.
    t0 = time.perf_counter()
    inspection_run(period=PERIOD, acting_user=None)
    print(f"  re-run of the same period: {time.perf_counter() - t0:.3f} s (no change)")

    # Raw model throughput on the same feature shape.
    rng = np.random.default_rng(0)
    feats = pd.DataFrame(rng.normal(size=(COMPANIES, len(model.features))), columns=model.features)
    t0 = time.perf_counter()
    engine.score(model, feats)
    sec = time.perf_counter() - t0
    print(f"  model scoring throughput: {COMPANIES / sec:,.0f} rows/s ({COMPANIES:,} rows in {sec:.2f} s)")
    t0 = time.perf_counter()
    engine.explain(model, feats.iloc[:20000], top=5)
    sec = time.perf_counter() - t0
    print(f"  scoring + explanation (top 5 contributions): {20000 / sec:,.0f} rows/s")


if __name__ == "__main__":
    main()
