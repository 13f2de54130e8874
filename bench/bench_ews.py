"""Early-warning model speed: scoring throughput of the shipped default model on 100,000 ratio rows, the SHAP
contributions that explain warnings, and (with BENCH_FULL=1) the full 5x5 cross-validation on the shipped Polish year-1 file.

    .venv/bin/python -m bench.bench_ews
    BENCH_FULL=1 .venv/bin/python -m bench.bench_ews
"""

from __future__ import annotations

import os
import time

from nic1000.algorithms import early_warning as ews
from nic1000.algorithms import ratios

ROWS = int(os.environ.get("BENCH_EWS_ROWS", "100000"))


def main() -> None:
    from bench.bench_ratios import make_statements

    t0 = time.perf_counter()
    model = ews.load_model(ews.default_model_path())
    print(
        f"  load default model: {time.perf_counter() - t0:6.2f} s  ({len(model.boosters)} boosters, "
        f"{sum(b.current_iteration() for b in model.boosters)} trees, CV AUC {model.metadata.get('cv_auc')})"
    )
    frame = make_statements(ROWS // 3 + 1).head(ROWS)
    X = ratios.compute_ratios(frame).values[list(ratios.RATIO_COLUMNS)]
    model.predict_proba(X.head(100))  # warm-up
    t0 = time.perf_counter()
    p = model.predict_proba(X)
    took = time.perf_counter() - t0
    print(
        f"  predict_proba on {len(X):,} rows: {took:6.2f} s  {len(X) / took:12,.0f} rows/s  (mean p {p.mean():.4f})"
    )
    rows = X.head(1000)
    t0 = time.perf_counter()
    model.contributions(rows)  # what the inspections' explanation phase computes for each warning
    took = time.perf_counter() - t0
    print(f"  SHAP contributions on {len(rows):,} rows: {took:6.2f} s  {len(rows) / took:10,.0f} rows/s")
    if os.environ.get("BENCH_FULL") == "1":
        print("  full 5x5 CV on the shipped Polish year-1 file:")
        ews.run_evaluate(ews.default_data_path(), "class", repeats=5, out=lambda s: print("    " + s))
    else:
        print("  (set BENCH_FULL=1 for the full 5x5 cross-validation)")


if __name__ == "__main__":
    main()
