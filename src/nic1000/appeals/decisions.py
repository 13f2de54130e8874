"""The decisions a company may appeal, read from the apps that made them: a candidacy not selected in a
published round or found ineligible (rounds), a removed designation (designations, monitoring's removal date),
a declined finance application (finance). Each with when it was made (the window starts then), the deciding
body (an institution for a refusal, else the programme office) and the window's end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from nic1000.appeals.models import DEFAULT_WINDOW_DAYS, OPEN_STATES, Appeal, AppealWindow, DecisionKind
from nic1000.designations.models import Membership
from nic1000.finance.models import Application
from nic1000.monitoring.models import Removal
from nic1000.rounds.models import Candidacy
from nic1000.rounds.workflows import RoundState

PUBLISHED = (RoundState.PUBLISHED, RoundState.CLOSED)


@dataclass(frozen=True)
class Decision:
    kind: str
    target_id: int
    company_id: int
    decided_at: dt.datetime
    deadline: dt.datetime
    institution_id: int | None  # who decides the appeal: that institution, or None for the programme office
    subject: str  # the round's name, "F-00012 · KDB"... (data, not words)
    open_appeal_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(DecisionKind(self.kind).label)

    @property
    def window_open(self) -> bool:
        return timezone.now() <= self.deadline


def window_days() -> dict[str, int]:
    """Days to appeal per kind of decision (30 unless the programme office set another number)."""
    days = dict.fromkeys(DecisionKind.values, DEFAULT_WINDOW_DAYS)
    days.update(dict(AppealWindow.objects.values_list("kind", "days")))
    return days


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _candidacy_decision(c: Candidacy, kind: str, days: dict[str, int]) -> Decision | None:
    rnd = c.round
    if kind == DecisionKind.NON_SELECTION:
        if (
            not c.eligible
            or c.selected is not False
            or rnd.state not in PUBLISHED
            or rnd.published_at is None
        ):
            return None
        at = rnd.published_at
    else:
        if c.eligible:
            return None
        # Told at publication; before it, from the nomination that found it ineligible.
        at = rnd.published_at or c.created_at
    return Decision(kind, c.pk, c.company_id, at, at + dt.timedelta(days=days[kind]), None, rnd.name)


def _removal_decision(m: Membership, days: dict[str, int]) -> Decision | None:
    if m.status != Membership.Status.REMOVED:
        return None
    removal = Removal.objects.filter(membership=m).first()
    if removal is not None:
        at = removal.removed_at
    elif m.ended_on is not None:
        at = _start_of(m.ended_on)
    else:
        return None
    kind = DecisionKind.REMOVAL.value
    return Decision(kind, m.pk, m.company_id, at, at + dt.timedelta(days=days[kind]), None, m.round.name)


def _refusal_decision(a: Application, days: dict[str, int]) -> Decision | None:
    if a.state != "declined" or a.decided_at is None:
        return None
    kind = DecisionKind.REFUSAL.value
    at = a.decided_at
    subject = f"{a} · {a.institution.name_ko}"
    return Decision(
        kind, a.pk, a.company_id, at, at + dt.timedelta(days=days[kind]), a.institution_id, subject
    )


def decision_for(*, kind: str, target_id: int, company_id: int) -> Decision | None:
    """The company's appealable decision of `kind` about `target_id`, or None (missing, another company's, or
    not that decision)."""
    days = window_days()
    if kind in (DecisionKind.NON_SELECTION, DecisionKind.INELIGIBILITY):
        c = Candidacy.objects.select_related("round").filter(pk=target_id, company_id=company_id).first()
        return _candidacy_decision(c, kind, days) if c else None
    if kind == DecisionKind.REMOVAL:
        m = Membership.objects.select_related("round").filter(pk=target_id, company_id=company_id).first()
        return _removal_decision(m, days) if m else None
    if kind == DecisionKind.REFUSAL:
        a = (
            Application.objects.select_related("institution")
            .filter(pk=target_id, company_id=company_id)
            .first()
        )
        return _refusal_decision(a, days) if a else None
    return None


def open_appeal_for(*, kind: str, target_id: int) -> Appeal | None:
    field = {"removal": "membership_id", "refusal": "application_id"}.get(kind, "candidacy_id")
    return Appeal.objects.filter(kind=kind, state__in=OPEN_STATES, **{field: target_id}).first()


def appealable_decisions(*, company_id: int) -> list[Decision]:
    """Every decision about the company that it could appeal (whether or not the window is still open), newest
    first, each with its open appeal if any."""
    days = window_days()
    found: list[Decision | None] = []
    candidacies = Candidacy.objects.filter(company_id=company_id).select_related("round")
    for c in candidacies.filter(Q(eligible=False) | Q(selected=False, round__state__in=PUBLISHED)):
        found.append(_candidacy_decision(c, DecisionKind.NON_SELECTION, days))
        found.append(_candidacy_decision(c, DecisionKind.INELIGIBILITY, days))
    for m in Membership.objects.filter(
        company_id=company_id, status=Membership.Status.REMOVED
    ).select_related("round"):
        found.append(_removal_decision(m, days))
    for a in Application.objects.filter(company_id=company_id, state="declined").select_related(
        "institution"
    ):
        found.append(_refusal_decision(a, days))
    decisions = [d for d in found if d is not None]
    open_ids = {
        (a.kind, a.target_id): a.pk
        for a in Appeal.objects.filter(company_id=company_id, state__in=OPEN_STATES)
    }
    out = [
        Decision(**{**d.__dict__, "open_appeal_id": open_ids.get((d.kind, d.target_id))}) for d in decisions
    ]
    return sorted(out, key=lambda d: d.decided_at, reverse=True)
