"""Decision-quality figures at the demo's size and larger: evaluator effects, flags, 200 bootstrap re-solves
of the selection under its quotas, and the ±10-point weight scenarios.

A round like the demo's (600 candidacies, 321 places, nine bodies with minimums and maximums, BIG3 sector
minimums, three reviews each from ~100 evaluators whose leniency has a standard deviation of about 12 points
of 100), then the same at 5,000 candidacies.  Prints the times (target: 200 re-solves for 600 candidacies in
under 10 s); measures only, never asserts.

    .venv/bin/python -m bench quality
    BENCH_QUALITY_SIZES=600,5000,20000 .venv/bin/python -m bench quality
"""

from __future__ import annotations

import os
import time

import numpy as np

from nic1000.algorithms.aggregation import Criterion, Review
from nic1000.algorithms.quality import (
    disagreement_flags,
    score_reviews,
    selection_probabilities,
    weight_sensitivity,
)
from nic1000.algorithms.selection import GroupQuota, SelectionCandidate, select

SIZES = [int(s) for s in os.environ.get("BENCH_QUALITY_SIZES", "600,5000").split(",")]
CODES = ["global", "megatrends", "growth", "tech_diff", "maturity"]
RUBRIC = [Criterion(c, 20.0, 1, 5) for c in CODES]
BODIES = [f"B{i}" for i in range(9)]
SECTORS = ["semiconductor", "future_car", "biohealth", "other", "other", "other"]


def make_round(n: int, seed: int = 3) -> tuple[list[Review], list[SelectionCandidate], int, list[GroupQuota]]:
    rng = np.random.default_rng(seed)
    n_eval = max(30, n // 6)
    quality = rng.normal(3.2, 0.65, n)
    leniency = rng.normal(0.0, 0.45, n_eval)
    reviews = []
    for c in range(n):
        for e in rng.choice(n_eval, 3, replace=False):
            q = quality[c] + leniency[e]
            scores = {k: float(np.clip(round(q + rng.normal(0, 0.6)), 1, 5)) for k in CODES}
            reviews.append(Review(c, int(e), scores, 0.0, "default"))
    total = int(n * 321 / 600)
    body = rng.choice(BODIES, n)
    sector = rng.choice(SECTORS, n)
    cands = [
        SelectionCandidate(c, 0.0, bool(rng.random() > 0.1), {"body": str(body[c]), "sector": str(sector[c])})
        for c in range(n)
    ]
    quotas = [GroupQuota("body", b, min=total // 40, max=total // 3) for b in BODIES]
    quotas += [GroupQuota("sector", "semiconductor", min=int(total * 0.09))]
    quotas += [GroupQuota("sector", "biohealth", min=int(total * 0.10))]
    return reviews, cands, total, quotas


def main() -> None:
    for n in SIZES:
        reviews, cands, total, quotas = make_round(n)
        t0 = time.perf_counter()
        scored = score_reviews(reviews, {"default": RUBRIC}, adjust=True)
        eff = scored.effects
        t_eff = time.perf_counter() - t0
        cands = [SelectionCandidate(c.id, scored.scores[c.id], c.eligible, c.groups) for c in cands]
        flags = disagreement_flags(scored.triples)
        t0 = time.perf_counter()
        base = select(cands, total, quotas)
        t_sel = time.perf_counter() - t0
        probs = selection_probabilities(cands, scored.totals, total, quotas, draws=200)
        agenda = sum(0.1 <= p <= 0.9 for p in probs.probability.values())
        t0 = time.perf_counter()
        sens = weight_sensitivity(
            reviews, {"default": RUBRIC}, cands, total, quotas, set(base.selected), adjust=True
        )
        t_sens = time.perf_counter() - t0
        print(f"  {n:,} candidacies, {total:,} places, {len(reviews):,} reviews")
        print(
            f"    evaluator effects (leniency, adjusted) {t_eff:6.2f} s: σ {eff.sigma:.1f}, τ {eff.tau:.1f}, "
            f"λ {eff.shrinkage:.2f}"
        )
        print(f"    flags: {len(flags.flags)} of {flags.panels} ({len(flags.flags) / flags.panels:.1%})")
        print(f"    one exact selection (select)   {t_sel:6.2f} s")
        print(
            f"    200 bootstrap re-solves        {probs.seconds:6.2f} s  (target < 10 s at 600); "
            f"MILP fallbacks {probs.milp_fallbacks}; agenda (10–90%) {agenda}"
        )
        moved = sum(len(e.enter) for e in sens)
        print(f"    {len(sens)} weight scenarios ±10 pt  {t_sens:6.2f} s; entering in all {moved}")


if __name__ == "__main__":
    main()
