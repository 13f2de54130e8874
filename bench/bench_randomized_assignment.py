"""Randomised assignment under a probability cap (Jecmen et al. 2020): 2,000 candidacies × 500 evaluators × 3
reviews, q = 0.5, loads 0–15, 1% conflicts, affinities from ``nic1000.algorithms.affinity`` on synthetic texts
(the profiles of ``bench_assignment``). Prints the deterministic solve, the LP under the cap (with the ratio
of its expected affinity to the deterministic optimum), the time to draw one assignment and the largest gap
between the marginals of 100 draws and the plan. Measures only; never asserts.

    .venv/bin/python -m bench randomized_assignment
    BENCH_RANDOM_Q=0.34 BENCH_RANDOM_CANDIDACIES=10000 BENCH_RANDOM_EVALUATORS=2000 .venv/bin/python -m bench randomized_assignment
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench.bench_assignment import synthetic_profiles
from nic1000.algorithms.affinity import compute_affinity
from nic1000.algorithms.assignment import assign
from nic1000.algorithms.assignment.randomized import randomized_plan, sample_assignment

CANDIDACIES = int(os.environ.get("BENCH_RANDOM_CANDIDACIES", "2000"))
EVALUATORS = int(os.environ.get("BENCH_RANDOM_EVALUATORS", "500"))
Q = float(os.environ.get("BENCH_RANDOM_Q", "0.5"))
REVIEWS, MAX_LOAD, CONFLICT_RATE, DRAWS = 3, 15, 0.01, 100


def main() -> None:
    n_c, n_e = CANDIDACIES, EVALUATORS
    print(
        f"  instance: {n_c:,} candidacies × {n_e:,} evaluators × {REVIEWS} reviews, loads ≤ {MAX_LOAD}, q = {Q}"
    )
    t0 = time.perf_counter()
    companies, evaluators = synthetic_profiles(n_c, n_e)
    affinity = compute_affinity(companies, evaluators)
    print(f"  affinity (synthetic profiles):        {time.perf_counter() - t0:7.2f} s")
    conflicts = np.random.default_rng(11).random((n_c, n_e)) < CONFLICT_RATE

    t0 = time.perf_counter()
    det = assign(affinity, reviews_per_candidacy=REVIEWS, max_load=MAX_LOAD, forbidden=conflicts)
    t_det = time.perf_counter() - t0
    print(f"  deterministic optimum (assign):       {t_det:7.2f} s  objective {det.objective:,.4f}")

    t0 = time.perf_counter()
    plan = randomized_plan(
        affinity,
        q=Q,
        reviews_per_candidacy=REVIEWS,
        max_load=MAX_LOAD,
        forbidden=conflicts,
        deterministic=det,
    )
    t_lp = time.perf_counter() - t0
    print(
        f"  LP under the cap (scaled flow):       {t_lp:7.2f} s  expected affinity {plan.expected_affinity:,.4f}"
    )
    print(f"  ratio to the deterministic optimum:   {plan.ratio:.4f}  ({len(plan.units):,} pairs with p > 0)")

    rng = np.random.default_rng(2026)
    t0 = time.perf_counter()
    first = sample_assignment(plan, rng)
    t_draw = time.perf_counter() - t0
    print(f"  one draw (dependent rounding):        {t_draw:7.2f} s  ({len(first):,} pairs)")
    print(f"  total (deterministic + LP + draw):    {t_det + t_lp + t_draw:7.2f} s")

    counts = np.zeros((n_c, n_e), dtype=np.int32)
    t0 = time.perf_counter()
    for _ in range(DRAWS):
        arr = np.asarray(sample_assignment(plan, rng))
        counts[arr[:, 0], arr[:, 1]] += 1
    p = plan.probabilities()
    used = p > 0
    z = np.abs(counts[used] / DRAWS - p[used]) / np.sqrt(np.maximum(p[used] * (1 - p[used]), 1e-12) / DRAWS)
    print(
        f"  {DRAWS} draws: {time.perf_counter() - t0:.1f} s; max p {p.max():.3f}; pairs never in the plan drawn:"
        f" {int(counts[~used].sum())}; max |z| of frequency vs p over {int(used.sum()):,} pairs {z.max():.2f}"
    )


if __name__ == "__main__":
    main()
