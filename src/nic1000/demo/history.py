"""The programme's five rounds as held, for the demo to replay (pure: no database).

Figures from ../shared/guide/program-facts.md: round 1 (July 2020) 32 companies by MOTIE and MSS; round 2
(November 2020) 247 — MOTIE 78, MSS 65, MSIT 40, MOHW 34, MOF 30; round 3 (May 2021) 321 by nine bodies, 92 of
them in the BIG3 sectors; round 4 (December 2021) 235 by ten bodies (DAPA joins); round 5 (October 2022) about
208, 1,043 in all. The split of rounds 1 and 3–5 by body is not published: the demo's split adds up to the
rounds' sizes and to the bodies' totals reported for October 2022 (MOTIE 253, MSS 207, MSIT 167, MOF 69,
MOHW 69, MOLIT 68). Round 5 had twelve bodies; the registry's reference data knows ten, so the demo's round 5
has those ten. The day of each publication is the demo's choice (a Thursday of the reported month).

From round 4 the eligibility rules (credit delinquency, full capital impairment in the previous year) apply;
rounds 1–3 hold them off.

A smaller registry (`--companies N` below DEFAULT_COMPANIES, or `--fast`) gets every round scaled down in
proportion (`scale_for`, `scaled_targets`), never below two places a round.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

DEFAULT_COMPANIES = 4500  # the registry `nic1000 demo` generates unless told otherwise
FAST_SCALE = 0.03  # --fast and tests: about 30 places over the five rounds
MIN_PLACES = 2  # a scaled round selects at least this many
CANDIDACIES_PER_PLACE = (1.5, 2.0)  # each body nominates this many companies per place (uniform draw)
ROUND_DAYS = 35  # nominations open this many days before publication (see demo.stages.rounds)
FULL_EVALUATORS_PER_CANDIDACY = 150 / 600  # round 3: about 150 evaluators for about 600 candidacies
REVIEWS_PER_CANDIDACY = 3
MIN_EVALUATORS = REVIEWS_PER_CANDIDACY + 3  # room to replace evaluators who declare a conflict
LOAD_MIN, LOAD_MAX = 4, 16  # reviews per evaluator, at full size
BIG3 = ("semiconductor", "future_car", "biohealth")


@dataclass(frozen=True)
class RoundPlan:
    number: int
    published_on: dt.date
    selected: tuple[tuple[str, int], ...]  # (body code, companies it had selected), lead body first
    sector_minimums: tuple[tuple[str, int], ...] = ()  # (sector key, minimum places)
    eligibility_rules: bool = False  # credit delinquency / capital impairment exclude (from round 4)

    @property
    def bodies(self) -> tuple[str, ...]:
        return tuple(code for code, _n in self.selected)

    @property
    def total(self) -> int:
        return sum(n for _code, n in self.selected)

    @property
    def opens_at(self) -> dt.date:
        return self.published_on - dt.timedelta(days=ROUND_DAYS)


PLANS: tuple[RoundPlan, ...] = (
    RoundPlan(1, dt.date(2020, 7, 16), (("MOTIE", 18), ("MSS", 14))),
    RoundPlan(2, dt.date(2020, 11, 19), (("MOTIE", 78), ("MSS", 65), ("MSIT", 40), ("MOHW", 34), ("MOF", 30))),
    RoundPlan(
        3,
        dt.date(2021, 5, 27),
        (
            ("MOTIE", 70), ("MSS", 57), ("MSIT", 55), ("MOLIT", 30), ("ME", 26), ("MCST", 25),
            ("MOHW", 20), ("KIPO", 20), ("MOF", 18),
        ),
        sector_minimums=(("semiconductor", 28), ("future_car", 25), ("biohealth", 39)),  # 92 in BIG3
    ),
    RoundPlan(
        4,
        dt.date(2021, 12, 16),
        (
            ("MOTIE", 45), ("MSS", 38), ("MSIT", 38), ("MOLIT", 20), ("ME", 20), ("MCST", 20),
            ("KIPO", 17), ("DAPA", 17), ("MOF", 12), ("MOHW", 8),
        ),
        eligibility_rules=True,
    ),
    RoundPlan(
        5,
        dt.date(2022, 10, 20),
        (
            ("MOTIE", 42), ("MSIT", 34), ("MSS", 33), ("MOLIT", 18), ("DAPA", 18), ("ME", 16), ("MCST", 16),
            ("KIPO", 15), ("MOF", 9), ("MOHW", 7),
        ),
        eligibility_rules=True,
    ),
)  # fmt: skip
DESIGNATED_IN_ALL = sum(p.total for p in PLANS)  # 1,043


def scale_for(*, companies: int, fast: bool) -> float:
    """How much of the real programme a registry of `companies` holds (1.0 from DEFAULT_COMPANIES up)."""
    scale = min(1.0, companies / DEFAULT_COMPANIES)
    return min(scale, FAST_SCALE) if fast else scale


def _largest_remainder(weights: list[tuple[str, int]], total: int) -> dict[str, int]:
    """`total` split over the keys in proportion to their weights (largest remainder; ties: first listed)."""
    whole = sum(w for _k, w in weights)
    shares = [(k, total * w / whole) for k, w in weights]
    out = {k: math.floor(s) for k, s in shares}
    rest = total - sum(out.values())
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i][1] - math.floor(shares[i][1])), i))
    for i in order[:rest]:
        out[shares[i][0]] += 1
    return out


def scaled_targets(plan: RoundPlan, scale: float) -> dict[str, int]:
    """Places per body in the round at this scale (the real split at 1.0); bodies may get none."""
    if scale >= 1.0:
        return dict(plan.selected)
    return _largest_remainder(list(plan.selected), max(MIN_PLACES, round(plan.total * scale)))


def scaled_sector_minimums(plan: RoundPlan, scale: float) -> dict[str, int]:
    return {key: math.floor(n * min(scale, 1.0)) for key, n in plan.sector_minimums}


def evaluators_needed(candidacies: int) -> int:
    """The evaluator pool a round of `candidacies` needs (round 3's ratio)."""
    return max(MIN_EVALUATORS, math.ceil(FULL_EVALUATORS_PER_CANDIDACY * candidacies))


def load_bounds(*, candidacies: int, evaluators: int) -> tuple[int, int]:
    """Reviews per evaluator (min, max) a pool of `evaluators` can meet for `candidacies`: a minimum of at most
    half the mean, a maximum that leaves a fifth to spare for evaluators who declare a conflict."""
    reviews = REVIEWS_PER_CANDIDACY * candidacies
    load_min = min(LOAD_MIN, reviews // max(evaluators, 1) // 2)
    load_max = max(LOAD_MAX, math.ceil(reviews * 6 / 5 / max(evaluators, 1)))
    return load_min, load_max
