"""Monitoring inspection at programme scale: 100,000 active companies with three years of statements.

Setup (not timed): a fresh PostgreSQL database (`bench/_django.py` `setup_database`, database
`nic1000_bench_inspection`), then companies, statements (three fiscal years each, 2023–2025, one of
30 balanced templates per company: profitable, loss-making, high debt, negative equity, sales collapse), core technologies
for a third of them, one published round and one active membership per company — all with `bulk_create`, not
through the services (the bench measures the inspection; the import has its own bench).

Each company's figures vary around its profile (±10 % per item), so every company is a distinct row for the
model, as real statements are; BENCH_DISTINCT=0 gives exact copies of the 30 profiles (the inspection scores
each distinct row once, so that flatters scoring and explaining).

Timed: `monitoring.services.inspection_run` for one period as the worker's task runs it (levels, results, cases,
audit), with the shares spent reading (values_list through the cursor into pandas), computing ratios
(vectorised), scoring (LightGBM, once per distinct row, in a thread while the previous chunk is written), rules
and writing (one upsert statement, one case statement, progress marker, one audit append per chunk).
Target: < 60 s for 100k companies. Then the explanation phase (SHAP contributions for warning and above,
`inspection_explain`) for BENCH_EXPLAIN_SECONDS (resumable; the rest is projected from its rate), and the
model's raw throughput (rows/s) for scoring and for explaining.

    .venv/bin/python -m bench.bench_inspection                 # PostgreSQL at 127.0.0.1:5432
    BENCH_PG_URL=postgres://user@host:5432 BENCH_COMPANIES=20000 .venv/bin/python -m bench.bench_inspection
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/mydb ...   # that database (dropped and recreated)
    BENCH_REUSE=1 ...                                          # the populated database again: inspection only
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from typing import Any

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "100000"))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PERIOD = "2026-05"
# 0: every company is an exact copy of one of 30 profiles (the model then sees only 30 distinct rows).
DISTINCT = os.environ.get("BENCH_DISTINCT", "1") != "0"
# How long to let the explanation phase run (it is resumable; the rest is projected from its rate).
EXPLAIN_SECONDS = float(os.environ.get("BENCH_EXPLAIN_SECONDS", "60"))


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
    from nic1000.designations.models import Membership
    from nic1000.registry.models import Body, Company, CoreTechnology, FinancialStatement
    from nic1000.rounds.models import Program, Round

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
    items = list(templates[0])
    table = np.array([[t[name] for name in items] for t in templates], dtype="float64")
    # One profile per company, the same for its three years (a company does not change profile every year).
    pick = rng.integers(0, len(templates), size=len(ids))
    with transaction.atomic():
        batch: list[Any] = []
        for n, cid in enumerate(ids):
            base = table[pick[n]]
            for year in (2023, 2024, 2025):
                # Each company's own figures around its profile (±10 % per item): real statements are all
                # different, and the inspection scores each distinct row once, so copies would flatter it.
                values = base * (1 + rng.uniform(-0.1, 0.1, size=len(items))) if DISTINCT else base
                batch.append(
                    FinancialStatement(
                        company_id=cid,
                        fiscal_year=year,
                        source="demo",
                        **{name: int(v) for name, v in zip(items, values, strict=True)},
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
        f"{Membership.objects.count():,} active memberships in {time.perf_counter() - started:.1f} s "
        f"({'distinct figures per company' if DISTINCT else 'exact copies of 30 profiles'})"
    )


def _has_db(url: str) -> bool:
    """BENCH_PG_URL names its own database (e.g. a helper's), else nic1000_bench_inspection is used."""
    from urllib.parse import urlsplit

    return bool(urlsplit(url).path.strip("/"))


def main() -> None:
    from bench._django import describe, setup_database

    if os.environ.get("BENCH_REUSE"):  # the populated database of a previous run: only the inspection again
        url = PG if _has_db(PG) else PG.rstrip("/") + "/nic1000_bench_inspection"
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from nic1000.monitoring.models import EarlyWarningModel, InspectionRun, SupportCase

        call_command("migrate", verbosity=0, interactive=False)

        SupportCase.objects.all().delete()
        InspectionRun.objects.all().delete()
        EarlyWarningModel.objects.all().delete()
        print(f"-- inspection bench on {describe(url)} (reused database)")
    else:
        url = setup_database(PG, name="" if _has_db(PG) else "inspection")
        print(f"-- inspection bench on {describe(url)} ({COMPANIES:,} companies)")
        _populate()

    import numpy as np
    import pandas as pd

    from nic1000.algorithms import early_warning as ew
    from nic1000.monitoring import engine
    from nic1000.monitoring.models import InspectionResult, SupportCase
    from nic1000.monitoring.services import inspection_explain, inspection_run, model_in_use

    # The model the worker uses: the activated one, else the shipped default (src/nic1000/data/models/).
    try:
        model = model_in_use()  # loaded once, outside the timing (a worker keeps it loaded)
    except Exception as exc:
        print(f"  no usable early-warning model ({exc}); train the default first: nic1000 ews train ...")
        print(f"  (looked for the shipped default at {ew.default_model_path()})")
        return
    trees = sum(b.num_trees() for b in model.model.boosters)
    print(f"  model: {model.path} ({model.sha256[:10]}), {len(model.model.boosters)} boosters, {trees} trees")
    load = os.getloadavg()
    print(f"  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")

    timing = engine.Timing()
    started = time.perf_counter()
    run = inspection_run(period=PERIOD, acting_user=None, timing=timing, explain=False)
    total = time.perf_counter() - started
    # Scoring runs in a thread while the previous chunk is written: its wall-clock share is the time the
    # inspection waited for scores; its own seconds are printed after.
    parts = {
        "reading": timing.read,
        "ratios": timing.ratios,
        "scoring (waiting for scores)": timing.extra.get("score_wait", 0.0),
        "rules": timing.extra.get("rules", 0.0),
        "writing (results, cases, audit)": timing.write,
    }
    other = max(0.0, total - sum(parts.values()))
    print(
        f"  inspection {run.period}: {run.processed:,} companies in {total:.1f} s "
        f"({'met' if total < 60 else 'NOT met'}: target < 60 s), {run.chunks_done} chunks"
    )
    for name, sec in [*parts.items(), ("other (claim, finish, chase)", other)]:
        print(f"    {name:<32} {sec:7.2f} s  {100 * sec / total:5.1f} %")
    print(
        f"  scoring in its thread: {timing.rows_scored:,} rows in {timing.score:.1f} s = "
        f"{timing.rows_scored / max(timing.score, 1e-9):,.0f} rows/s (alongside reading and writing)"
    )
    print(f"  levels: {dict(sorted(run.counts.items()))}; cases opened: {SupportCase.objects.count():,}")
    print(f"  results stored: {InspectionResult.objects.filter(period=PERIOD).count():,}")

    # The explanation phase (SHAP for warning and above), resumable: run for a while, project the rest.
    class Enough(Exception):
        pass

    wanted = InspectionResult.objects.filter(
        period=PERIOD, level__in=["warning", "critical"], fiscal_year__isnull=False
    ).count()
    ex = engine.Timing()
    t0 = time.perf_counter()

    def stop(_k: int) -> None:
        if time.perf_counter() - t0 > EXPLAIN_SECONDS:
            raise Enough

    with contextlib.suppress(Enough):
        inspection_explain(period=PERIOD, acting_user=None, timing=ex, after_chunk=stop)
    sec = time.perf_counter() - t0
    explained = InspectionResult.objects.filter(period=PERIOD).exclude(factors=[]).count()
    rate = explained / sec if sec else 0.0
    print(
        f"  explanation phase: {explained:,} of {wanted:,} results at warning+ in {sec:.1f} s "
        f"({rate:,.1f} rows/s; SHAP {ex.explain:.1f} s, writing {ex.write:.1f} s)"
        + (f"; all of them would take ~{wanted / rate:,.0f} s" if rate and explained < wanted else "")
    )

    # Re-run: idempotent, returns at once.
    t0 = time.perf_counter()
    inspection_run(period=PERIOD, acting_user=None, explain=False)
    print(f"  re-run of the same period: {time.perf_counter() - t0:.3f} s (no change)")

    # Raw model throughput on distinct random rows of the same feature shape.
    rng = np.random.default_rng(0)
    n = min(COMPANIES, 20_000)
    feats = pd.DataFrame(rng.normal(size=(n, len(model.features))), columns=model.features)
    t0 = time.perf_counter()
    engine.score(model, feats)
    sec = time.perf_counter() - t0
    print(f"  model scoring throughput: {n / sec:,.0f} rows/s ({n:,} distinct rows in {sec:.2f} s)")
    m = 200
    t0 = time.perf_counter()
    engine.explain(model, feats.iloc[:m], top=5)
    sec = time.perf_counter() - t0
    print(f"  explanation (SHAP, top 5 contributions): {m / sec:,.1f} rows/s ({m} rows in {sec:.2f} s)")
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
