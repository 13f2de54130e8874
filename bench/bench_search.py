"""The staff's global search and the registry's sorted list over 100,000 companies.

Populates the registry as `bench_company_list` does (100,000 companies, 300,000 statements; BENCH_KEEP_DIR reuses a
populated database), adds finance applications, support cases and a round's candidacies for a few hundred of them,
then measures, signed in as the programme office (Django test Client): the search page for names, BRNs with and
without dashes, BRN prefixes, application and case numbers, and texts that match nothing; and the registry list
sorted by each whitelisted column in both directions. Prints median / p95 per kind and the query count of the search
page (constant). Target: search p95 ≤ 200 ms on SQLite.

    .venv/bin/python -m bench search                     # SQLite (and PostgreSQL when reachable)
    .venv/bin/python -m bench.bench_search --db URL      # one database (used internally)
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NIC1000_STATIC_MANIFEST", "0")
REQUESTS_PER_KIND = 30
LINKED = 300  # companies with an application, a case and a candidacy


def _link_some(user: Any) -> None:
    """Applications, cases and candidacies for LINKED companies (rows made directly: the bench measures reads)."""
    from django.db import transaction
    from django.utils import timezone
    from tests.factories import body
    from tests.finance.factories import ensure_products, make_application
    from tests.rounds.factories import make_candidacy, make_round

    from nic1000.accounts.models import User
    from nic1000.monitoring.models import SupportCase
    from nic1000.registry.models import Company

    ensure_products()
    officer = User.objects.create(username="bench_mss", role="ministry_officer", body=body("MSS"))
    with transaction.atomic():
        rnd = make_round(acting_user=user, state="evaluating", number=11)
        for company in Company.objects.order_by("?")[:LINKED]:
            app = make_application(company)
            SupportCase.objects.create(
                company=company, membership=app.membership, level="warning", opened_at=timezone.now()
            )
            make_candidacy(rnd, company=company, by=officer)


def _timed(client: Any, urls: list[str]) -> list[float]:
    out = []
    for u in urls:
        started = time.perf_counter()
        r = client.get(u)
        out.append((time.perf_counter() - started) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{u}: HTTP {r.status_code}")
    return sorted(out)


def _p95(values: list[float]) -> float:
    return values[max(0, int(len(values) * 0.95) - 1)]


def run_one(url: str) -> None:
    from bench import bench_company_list as base

    label = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n-- {label}")
    reused = base._reuse_database(url)
    if not os.environ.get("BENCH_KEEP_DIR"):
        base._setup_database(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from nic1000.accounts.models import User
    from nic1000.core.identifiers import brn_format
    from nic1000.finance.models import Application
    from nic1000.monitoring.models import SupportCase
    from nic1000.registry.models import Company
    from nic1000.registry.views import COMPANY_SORT

    user = User.objects.get(username="bench_po") if reused else base._populate()
    if not Application.objects.exists():
        _link_some(user)
    client = Client()
    client.force_login(user)
    rng = random.Random(7)
    search = reverse("search:search")
    brns = list(Company.objects.order_by("?").values_list("brn", flat=True)[:REQUESTS_PER_KIND])
    apps = list(Application.objects.values_list("pk", flat=True)[:REQUESTS_PER_KIND])
    cases = list(SupportCase.objects.values_list("pk", flat=True)[:REQUESTS_PER_KIND])
    names = ["한빛", "미래바이오", "반도체12", "Company 4711", "누리소재9"]
    kinds = {
        "name": [f"{search}?q={rng.choice(names)}" for _ in range(REQUESTS_PER_KIND)],
        "BRN (digits)": [f"{search}?q={b}" for b in brns],
        "BRN (dashes)": [f"{search}?q={brn_format(b)}" for b in brns],
        "BRN prefix": [f"{search}?q={b[:5]}" for b in brns],
        "application no.": [f"{search}?q=F-{pk:05d}" for pk in apps],
        "case no.": [f"{search}?q=%23{pk}" for pk in cases],
        "no match": [f"{search}?q=없는회사{i}" for i in range(REQUESTS_PER_KIND)],
    }
    for u in kinds["name"][:5]:
        client.get(u)  # warm up
    every: list[float] = []
    for kind, urls in kinds.items():
        t = _timed(client, urls)
        every += t
        print(f"    search {kind:<16} median {statistics.median(t):6.1f} ms, p95 {_p95(t):6.1f} ms")
    every.sort()
    p95 = _p95(every)
    print(
        f"  search: {len(every)} requests, median {statistics.median(every):.1f} ms, p95 {p95:.1f} ms "
        f"(target p95 ≤ 200 ms: {'met' if p95 <= 200 else 'NOT met'})"
    )
    counts = set()
    for q in ("한빛", "10081", "F-00001"):
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"{search}?q={q}")
        counts.add(len(ctx.captured_queries))
    print(f"  search queries per request: {sorted(counts)}")
    registry = reverse("registry:company_list")
    for key in COMPANY_SORT.columns:
        for direction in ("asc", "desc"):
            t = _timed(client, [f"{registry}?sort={key}&dir={direction}&page={p}" for p in (1, 2, 50)])
            print(
                f"    registry sorted by {key:<9} {direction:<4} median {statistics.median(t):6.1f} ms, max {t[-1]:6.1f} ms"
            )


def main() -> None:
    from bench import bench_company_list as base

    here = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=f"{here}{os.pathsep}{here / 'src'}")
    keep = os.environ.get("BENCH_KEEP_DIR")
    with tempfile.TemporaryDirectory(prefix="nic_bench_search") as tmp_dir:
        tmp = keep or tmp_dir
        Path(tmp).mkdir(parents=True, exist_ok=True)
        targets = [f"sqlite:///{tmp}/bench.sqlite3"]
        pg = base._pg_url() if not os.environ.get("BENCH_SQLITE_ONLY") else None
        if pg:
            targets.append(pg)
        for url in targets:
            subprocess.run(
                [sys.executable, "-m", "bench.bench_search", "--db", url],
                check=False,
                cwd=here,
                env=dict(env, NIC1000_DATA_DIR=tmp),
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--db":
        run_one(sys.argv[2])
    else:
        main()
