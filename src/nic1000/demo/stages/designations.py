"""Demo stage: the designations' half-yearly re-evaluations and the places refilled (issue 15.3-4).

Before each round after the first, the rounds stage holds a re-evaluation through `reevaluate` (a month before
the round opens, on its simulated clock): the programme office opens the half-year, the nominating bodies' officers
file re-evaluations (low ratings and a recommendation to remove for the members the rounds stage picked, good
ones for a few others), the office decides: removal through monitoring's removal service, continuation
otherwise. The round then gives each body its vacancies as places to refill (the rounds stage's quotas), and its
published selection refills them. `run` (after monitoring) only counts: re-evaluations filed and places refilled.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from nic1000.accounts.models import User
from nic1000.demo.context import DemoContext
from nic1000.designations.models import Membership, Reevaluation, ReevaluationPeriod
from nic1000.designations.reevaluations import Ratings, reevaluation_file, reevaluation_period_open
from nic1000.monitoring.services import membership_remove
from nic1000.monitoring.services.reevaluations import reevaluation_decide
from nic1000.rounds.models import Round
from nic1000.rounds.refills import refilled_in

CONTINUED_PER_PERIOD = (
    3  # members re-evaluated well besides the removed ones (kept small: the demo is a sample)
)


def _half(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def _period(ctx: DemoContext, day: dt.date) -> ReevaluationPeriod:
    half = _half(day)
    existing = ReevaluationPeriod.objects.filter(half=half).first()
    if existing is not None:
        return existing
    return reevaluation_period_open(half=half, due_on=day + dt.timedelta(days=14), acting_user=ctx.office)


def reevaluate(
    ctx: DemoContext,
    *,
    day: dt.date,
    officers: dict[str, User],
    remove: list[tuple[Membership, str, str]],
    others: list[Membership],
) -> int:
    """One half-year's re-evaluation: `remove` (membership, reason, note) are rated low and removed, a few of
    `others` are rated well and continued (their own random stream, so the rounds' draws stay as they were).
    A member whose body has no demo officer is removed directly. Returns the members removed."""
    period = _period(ctx, day)
    rng = ctx.rng_for(f"designations-{period.half}")
    for m, reason, note in remove:
        officer = officers.get(m.body.code)
        if officer is None:
            membership_remove(membership=m, reason=reason, note=note, acting_user=ctx.office)
            continue
        low = Ratings(
            1, 2, 1, 2, innovation_effort_comment=note, financial_comment="매출 감소, 영업손실 지속"
        )
        r = reevaluation_file(
            period=period, membership=m, ratings=low, recommendation="remove", acting_user=officer
        )
        reevaluation_decide(
            reevaluation=r,
            decision="remove",
            reason=reason,
            note=f"금융위 결정: {note}",
            acting_user=ctx.office,
        )
    candidates = [m for m in others if m.body.code in officers and m.status == Membership.Status.ACTIVE]
    n = min(CONTINUED_PER_PERIOD, len(candidates))
    for i in sorted(int(i) for i in rng.choice(len(candidates), size=n, replace=False)) if n else []:
        m = candidates[i]
        scores = [int(x) for x in np.clip(rng.normal(4, 0.6, size=4).round(), 3, 5)]
        good = Ratings(
            innovation_effort=scores[0],
            growth=scores[1],
            financial=scores[2],
            non_financial=scores[3],
            growth_comment="수출 확대, 신규 수주",
            non_financial_comment="고용 증가",
        )
        r = reevaluation_file(
            period=period,
            membership=m,
            ratings=good,
            recommendation="continue",
            acting_user=officers[m.body.code],
        )
        reevaluation_decide(reevaluation=r, decision="continue", note="지정 유지", acting_user=ctx.office)
    return len(remove)


def run(ctx: DemoContext) -> dict[str, int]:
    """Counts for the summary: re-evaluations filed, places refilled by the published rounds."""
    refills = sum(refilled_in(round=r) for r in Round.objects.filter(publication__isnull=False))
    reevaluations = Reevaluation.objects.count()
    ctx.out(f"  re-evaluations: {reevaluations} filed; {refills} places refilled")
    return {"reevaluations": reevaluations, "refills": refills}
