"""Appeals test world: one appealable decision of each kind about company_a (a non-selection in a published
round, an ineligible candidacy, a removed designation, a refusal by KDB), with evaluators for the re-scoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.finance.models import Application
from nic1000.monitoring.services.removals import membership_remove
from nic1000.rounds.models import Candidacy, EvaluatorProfile, Round
from tests.finance.factories import ensure_products, make_application
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round


@dataclass
class Decisions:
    non_selection: Candidacy
    ineligibility: Candidacy
    removal: Membership
    refusal: Application
    evaluators: list[EvaluatorProfile]

    def target(self, kind: str) -> int:
        return int(getattr(self, kind).pk)


def _published(round: Round, days_ago: int) -> Round:
    Round.objects.filter(pk=round.pk).update(
        state="published", published_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    round.refresh_from_db()
    return round


def decisions_for(personas: Any, *, days_ago: int = 3) -> Decisions:
    """company_a's four decisions, each made `days_ago` days ago."""
    company = personas.company_a_obj
    po = personas.program_office
    ensure_products()
    r1 = _published(make_round(acting_user=po, number=5), days_ago)
    r2 = _published(make_round(acting_user=po, number=6), days_ago)
    lost = make_candidacy(r1, company=company, score=61.0, selected=False, rank=40, by=personas.ministry_mss)
    ineligible = make_candidacy(r2, company=company, eligible=False, by=personas.ministry_mss)
    first = make_evaluator("appeal_ev1", affiliation="KAIST")
    second = make_evaluator("appeal_ev2", affiliation="SNU")
    make_assignment(lost, first)  # evaluated it already: never the re-scorer
    refusal = make_application(
        company,
        code="KDB-OPER",
        state="declined",
        decline_reason="Not enough collateral",
        decided_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    membership = Membership.objects.get(company=company, status="active")
    membership_remove(membership=membership, reason="weak_marketability", note="review", acting_user=po)
    membership.refresh_from_db()
    if days_ago:
        from nic1000.monitoring.models import Removal

        Removal.objects.filter(membership=membership).update(
            removed_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    return Decisions(lost, ineligible, membership, refusal, [first, second])
