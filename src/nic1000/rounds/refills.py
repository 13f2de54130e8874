"""Reads for the programme's progress toward its target and the places a round refills (issue 15.4, 15.6).

Vacancies: a body's designations removed since its previous round (the latest earlier round of the programme
that designated companies of that body) up to this round's publication (or today). The office gives each body
up to its vacancies as places to refill (`Quota.refill`); the optimiser adds them to the body's and the total
maximum (`services.selection._quotas`). Vacancies a round does not refill lapse: the next round's default quota
(target − designated now) covers any shortfall. After publication a body's refilled places are the places it
filled beyond its base maximum, at most its refill (without a base maximum: its selections, at most its refill).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.designations.selectors import live_memberships, removals_between
from nic1000.registry.models import Body
from nic1000.rounds.models import Candidacy, Program, Publication, Quota, Round


def access_program(*, pk: int) -> Program:
    """A programme by id (every round reader may see the programme's figures); Http404 when missing."""
    program = Program.objects.filter(pk=pk).first()
    if program is None:
        raise Http404
    return program


def _cutoff(rnd: Round) -> dt.date:
    return timezone.localdate(rnd.published_at) if rnd.published_at else timezone.localdate()


def _previous_round_days(rnd: Round) -> dict[str, dt.date]:
    """Each body's previous round (of the programme, before this one): the day it designated companies."""
    rows = (
        Membership.objects.filter(round__program_id=rnd.program_id, round__number__lt=rnd.number)
        .values_list("body__code")
        .annotate(last=Max("selected_on"))
        .order_by()
    )
    return {str(code): last for code, last in rows}


def vacancies_for(*, round: Round) -> dict[str, int]:
    """Body code → designations removed since the body's previous round, up to this round's publication."""
    last = _previous_round_days(round)
    counts: Counter[str] = Counter()
    earliest = min(last.values()) if last else None
    for code, ended_on in removals_between(after=earliest, until=_cutoff(round)).values_list(
        "body__code", "ended_on"
    ):
        previous = last.get(str(code))
        if previous is None or (ended_on is not None and ended_on > previous):
            counts[str(code)] += 1
    return dict(counts)


@dataclass(frozen=True)
class BodyRefill:
    code: str
    name: str
    vacancies: int
    refill: int
    base_max: int | None
    selected: int | None  # after publication

    @property
    def filled(self) -> int | None:
        """Places refilled: selected beyond the base maximum, at most the refill (after publication)."""
        if self.selected is None:
            return None
        beyond = self.selected if self.base_max is None else max(0, self.selected - self.base_max)
        return min(self.refill, beyond)


def refill_rows(*, round: Round, body_codes: list[str]) -> list[BodyRefill]:
    """Each body of the round's quotas: its vacancies, the places to refill, and after publication how many
    it refilled (a fixed number of queries)."""
    vacancies = vacancies_for(round=round)
    quotas = {q.key: q for q in Quota.objects.filter(round=round, family=Quota.Family.BODY)}
    published = Publication.objects.filter(round=round).exists()
    selected = (
        Counter(
            dict(
                Candidacy.objects.filter(round=round, selected=True)
                .values_list("lead_body__code")
                .annotate(n=Count("id"))
                .order_by()
            )
        )
        if published
        else None
    )
    names = dict(Body.objects.filter(code__in=body_codes).values_list("code", "name_ko"))
    rows = []
    for code in body_codes:
        q = quotas.get(code)
        rows.append(
            BodyRefill(
                code=code,
                name=names.get(code, code),
                vacancies=vacancies.get(code, 0),
                refill=q.refill if q else 0,
                base_max=q.max_count if q else None,
                selected=None if selected is None else int(selected.get(code, 0)),
            )
        )
    return rows


def refilled_in(*, round: Round) -> int:
    """Places the round refilled (0 before publication)."""
    codes = list(Quota.objects.filter(round=round, family=Quota.Family.BODY).values_list("key", flat=True))
    return sum(r.filled or 0 for r in refill_rows(round=round, body_codes=codes))


# --- progress toward the target --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyProgress:
    code: str
    name: str
    designated: int  # designated now
    ever: int  # designated in any round


@dataclass(frozen=True)
class Progress:
    target: int
    designated: int  # designated now (also under re-evaluation)
    under_reevaluation: int
    removed: int
    expired: int
    bodies: list[BodyProgress]

    @property
    def to_go(self) -> int:
        return max(self.target - self.designated, 0)

    @property
    def share(self) -> float:
        return self.designated / self.target if self.target else 0.0


def programme_progress(*, program: Program) -> Progress:
    """Designated companies against the programme's target, by nominating body (three queries)."""
    qs = Membership.objects.filter(round__program=program)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    live = dict(
        live_memberships()
        .filter(round__program=program)
        .values_list("body__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    ever = (
        qs.values("body__code", "body__name_ko")
        .annotate(n=Count("id"))
        .order_by("body__sort_order", "body__code")
    )
    return Progress(
        target=program.target_companies,
        designated=int(counts.get(Membership.Status.ACTIVE, 0))
        + int(counts.get(Membership.Status.UNDER_REEVALUATION, 0)),
        under_reevaluation=int(counts.get(Membership.Status.UNDER_REEVALUATION, 0)),
        removed=int(counts.get(Membership.Status.REMOVED, 0)),
        expired=int(counts.get(Membership.Status.ENDED, 0)),
        bodies=[
            BodyProgress(
                code=str(r["body__code"]),
                name=str(r["body__name_ko"]),
                designated=int(live.get(r["body__code"], 0)),
                ever=int(r["n"]),
            )
            for r in ever
        ],
    )


@dataclass(frozen=True)
class DefaultQuotas:
    """A new round's quotas following from the target: the new places (target − designated now − the places
    refilled) split by the bodies' shares of the designations so far (equal shares before any), and each
    body's vacancies to refill. The office may change any of it."""

    target: int
    designated: int
    new_places: int
    per_body: dict[str, int]
    refills: dict[str, int]


def split_by_shares(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` places in proportion to `weights` (largest remainders; ties by code); equal weights if all zero."""
    if not weights:
        return {}
    if not any(weights.values()):
        weights = dict.fromkeys(weights, 1)
    whole = sum(weights.values())
    exact = {code: total * w / whole for code, w in weights.items()}
    out = {code: int(x) for code, x in exact.items()}
    left = total - sum(out.values())
    for code in sorted(exact, key=lambda c: (-(exact[c] - out[c]), c))[:left]:
        out[code] += 1
    return out


def default_quotas(*, round: Round, body_codes: list[str]) -> DefaultQuotas:
    progress = programme_progress(program=round.program)
    vacancies = vacancies_for(round=round)
    refills = {code: vacancies.get(code, 0) for code in body_codes if vacancies.get(code, 0)}
    new_places = max(progress.to_go - sum(refills.values()), 0)
    ever = {b.code: b.ever for b in progress.bodies}
    return DefaultQuotas(
        target=progress.target,
        designated=progress.designated,
        new_places=new_places,
        per_body=split_by_shares(new_places, {code: ever.get(code, 0) for code in body_codes}),
        refills=refills,
    )
