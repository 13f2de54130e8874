"""The evidence panel's cohort percentiles at registry scale: one company's 50 patents against the registry's
patents of the same filing years and technology fields' subclasses (what `registry.evidence` does on every file page, after its one query).
Synthetic population: 100,000 patents over 2005–2025 with IPC classes from 40 subclasses, lognormal citations.
Measures only; never asserts.

    .venv/bin/python -m bench evidence
    BENCH_EVIDENCE_PATENTS=300000 .venv/bin/python -m bench evidence
"""

from __future__ import annotations

import datetime as dt
import os
import time

import numpy as np

from nic1000.algorithms import evidence as ev

PATENTS = int(os.environ.get("BENCH_EVIDENCE_PATENTS", "100000"))
SUBCLASSES = ["H01L", "G06F", "G06N", "G06Q", "A61K", "A61B", "C12N", "H01M", "B60L", "B25J", "C08L", "H04L",
              "H04W", "G01N", "B01D", "C02F", "F03D", "B63B", "E04G", "G06T"]  # fmt: skip


def main() -> None:
    rng = np.random.default_rng(3)
    t0 = time.perf_counter()
    population = []
    for _ in range(PATENTS):
        filed = dt.date(2005, 1, 1) + dt.timedelta(days=int(rng.integers(0, 21 * 365)))
        lag = int(rng.integers(380, 1400))
        granted = filed + dt.timedelta(days=lag) if rng.random() < 0.7 else None
        ipc = f"{SUBCLASSES[int(rng.integers(len(SUBCLASSES)))]} {int(rng.integers(1, 99))}/{int(rng.integers(0, 99)):02d}"
        population.append(
            ev.PatentFacts(
                ipc,
                filed,
                granted,
                int(rng.lognormal(0.5, 1.1)),
                int(1 + rng.geometric(0.6) - 1),
                int(max(1, rng.poisson(12))),
            )
        )
    print(f"  synthetic population: {PATENTS:,} patents   {time.perf_counter() - t0:6.2f} s")
    ev.cohort_percentiles(population[:1], population[:1000])  # a web process has its caches warm
    for label, mine in (
        (
            "a company in 2 subclasses (H01L, G06N)",
            [p for p in population if p.ipc_classes[:4] in ("H01L", "G06N")][:50],
        ),
        ("worst case: 50 patents in every field", population[:50]),
    ):
        _measure(label, mine, population)


def _measure(label: str, mine: list[ev.PatentFacts], population: list[ev.PatentFacts]) -> None:
    years = {p.filed_on.year for p in mine}
    # what the query returns: the filing years, first subclass within the fields of the company's patents
    subclasses = ev.field_subclasses({f for p in mine if (f := ev.tech_field(p.ipc_classes)) is not None})
    cohort_rows = [p for p in population if p.filed_on.year in years and p.ipc_classes[:4] in subclasses]
    t0 = time.perf_counter()
    standings = ev.cohort_percentiles(mine, cohort_rows)
    seconds = time.perf_counter() - t0
    sizes = [s.cohort_size for s in standings]
    print(
        f"  {label}: 50 patents against {len(cohort_rows):,} rows of the query: {seconds * 1000:7.1f} ms"
        f" (cohort sizes {min(sizes)}–{max(sizes)})"
    )


if __name__ == "__main__":
    main()
