"""Ratio engine speed: X1..X64 + Altman Z'' + cash runway for 100,000 companies x 3 years (300,000 statements).

.venv/bin/python -m bench.bench_ratios
BENCH_RATIO_COMPANIES=20000 .venv/bin/python -m bench.bench_ratios
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from nic1000.algorithms import ratios

COMPANIES = int(os.environ.get("BENCH_RATIO_COMPANIES", "100000"))
YEARS = (2022, 2023, 2024)


def make_statements(companies: int, years: tuple[int, ...] = YEARS, seed: int = 1) -> pd.DataFrame:
    """Random but coherent-looking statements (KRW integers), 1% of the cells missing, some zeros."""
    rng = np.random.default_rng(seed)
    n = companies * len(years)
    ta = rng.lognormal(22, 1.5, n).round()
    ca = (ta * rng.uniform(0.1, 0.9, n)).round()
    tl = (ta * rng.uniform(0.1, 1.2, n)).round()
    stl = (tl * rng.uniform(0.2, 1.0, n)).round()
    sales = (ta * rng.lognormal(0, 0.7, n)).round()
    opex = (sales * rng.uniform(0.7, 1.2, n)).round()
    cogs = (opex * rng.uniform(0.5, 0.9, n)).round()
    dep = (ta * rng.uniform(0, 0.05, n)).round()
    gp = (sales - opex + rng.normal(0, 0.01, n) * ta).round()
    data = {
        "company_id": np.repeat(np.arange(companies), len(years)),
        "fiscal_year": np.tile(years, companies),
        "cash": (ca * rng.uniform(0, 0.4, n)).round(),
        "short_term_securities": (ca * rng.uniform(0, 0.1, n)).round(),
        "receivables": (ca * rng.uniform(0, 0.3, n)).round(),
        "inventory": (ca * rng.uniform(0, 0.2, n)).round(),
        "current_assets": ca,
        "fixed_assets": ta - ca,
        "total_assets": ta,
        "short_term_liabilities": stl,
        "long_term_liabilities": tl - stl,
        "total_liabilities": tl,
        "share_capital": (ta * rng.uniform(0.01, 0.2, n)).round(),
        "retained_earnings": (ta * rng.normal(0.1, 0.3, n)).round(),
        "equity": ta - tl,
        "sales": sales,
        "cost_of_products_sold": cogs,
        "operating_expenses": opex,
        "depreciation": dep,
        "profit_on_sales": sales - opex,
        "profit_on_operating_activities": (sales - opex + rng.normal(0, 0.005, n) * ta).round(),
        "financial_expenses": (tl * rng.uniform(0, 0.05, n)).round(),
        "interest_expense": (tl * rng.uniform(0, 0.04, n)).round(),
        "extraordinary_items": (rng.normal(0, 0.002, n) * ta).round(),
        "gross_profit": gp,
        "net_profit": (gp * 0.8).round(),
    }
    frame = pd.DataFrame(data)
    items = list(ratios.ITEMS)
    mask = rng.random((n, len(items))) < 0.01
    block = frame[items].to_numpy(dtype="float64", copy=True)
    block[mask] = np.nan
    block[rng.random((n, len(items))) < 0.005] = 0.0
    frame[items] = block
    return frame


def main() -> None:
    frame = make_statements(COMPANIES)
    n = len(frame)
    ratios.compute_ratios(frame.head(1000))  # warm-up
    best = best_cpu = float("inf")
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        res = ratios.compute_ratios(frame)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    nan_share = float(res.values[list(ratios.RATIO_COLUMNS)].isna().to_numpy().mean())
    print(f"  statements: {COMPANIES:,} companies x {len(YEARS)} years = {n:,} rows")
    print(f"  compute_ratios (best of 3): {best:7.2f} s wall  {n / best:12,.0f} rows/s")
    print(
        f"                              {best_cpu:7.2f} s CPU   {n / best_cpu:12,.0f} rows/s (CPU time of this process)"
    )
    print(f"  NaN share of X1..X64 (with reasons): {nan_share:.1%}")
    rows = [frame.iloc[i].to_dict() for i in range(3)]
    t0 = time.perf_counter()
    for i in range(200):
        ratios.compute_single(rows[i % 3])
    per = (time.perf_counter() - t0) / 200
    print(f"  compute_single: {per * 1000:7.2f} ms per statement (wall)")


if __name__ == "__main__":
    main()
