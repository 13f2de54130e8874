"""Rounds test data. Setup goes through the services where that is the point; states are set directly
(factories bypass services on purpose) so each test starts where it needs to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from nic1000.core.roles import Role
from nic1000.registry.models import Body, Company
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    CommitteeDecision,
    Criterion,
    EvaluatorProfile,
    Nomination,
    Review,
    ReviewScore,
    Round,
    SelectionRun,
)
from nic1000.rounds.services.setup import program_create, round_create
from tests.factories import CompanyFactory, FinancialStatementFactory, UserFactory, body


def make_round(
    *,
    acting_user: Any,
    state: str = "draft",
    number: int = 3,
    bodies: tuple[str, ...] = ("MSS", "MOTIE"),
    **kwargs: Any,
) -> Round:
    program = program_create(
        name_ko="혁신기업 국가대표 1000",
        name_en="National Innovation Company 1000",
        starts_on=dt.date(2020, 7, 1),
        bodies=[body(c) for c in bodies],
        acting_user=acting_user,
    )
    rnd = round_create(
        program=program, number=number, name=f"{number}차 선정", acting_user=acting_user, **kwargs
    )
    if state != "draft":
        Round.objects.filter(pk=rnd.pk).update(state=state)
        rnd.refresh_from_db()
    return rnd


def make_candidacy(
    rnd: Round,
    *,
    company: Company | None = None,
    bodies: tuple[str, ...] = ("MSS",),
    by: Any = None,
    sector: str = "",
    **kwargs: Any,
) -> Candidacy:
    company = company or CompanyFactory()
    now = timezone.now()
    c = Candidacy.objects.create(
        round=rnd,
        company=company,
        lead_body=body(bodies[0]),
        sector=sector or company.ksic_section,
        created_at=now,
        **kwargs,
    )
    for code in bodies:
        officer = by or UserFactory(
            username=f"officer_{code.lower()}", role=Role.MINISTRY_OFFICER, body=body(code)
        )
        Nomination.objects.create(
            candidacy=c, body=body(code), nominated_by=officer, created_at=now, reason="test"
        )
    return c


def make_evaluator(
    username: str,
    *,
    sections: str = "C",
    keywords: str = "반도체 AI",
    affiliation: str = "KAIST",
    user: Any = None,
) -> EvaluatorProfile:
    user = user or UserFactory(username=username, role=Role.EVALUATOR)
    return EvaluatorProfile.objects.create(
        user=user, ksic_sections=sections, keywords=keywords, affiliation=affiliation
    )


def make_assignment(c: Candidacy, e: EvaluatorProfile, **kwargs: Any) -> Assignment:
    return Assignment.objects.create(
        round=c.round, candidacy=c, evaluator=e, created_at=timezone.now(), **kwargs
    )


def submit_review(a: Assignment, total: float, score: int = 3) -> Review:
    now = timezone.now()
    r = Review.objects.create(
        assignment=a,
        state=Review.State.SUBMITTED,
        total=total,
        updated_at=now,
        submitted_at=now,
        comment="ok",
    )
    for crit in Criterion.objects.filter(round=a.round, body__isnull=True):
        ReviewScore.objects.create(review=r, criterion=crit, score=score)
    return r


def make_selecting_round(*, acting_user: Any, n: int = 4, selected: int = 2, decided: bool = True) -> Round:
    """A round in selection with `n` scored candidacies, the first `selected` selected, a feasible run and
    (optionally) the committee's decision."""
    rnd = make_round(acting_user=acting_user, state="selecting")
    for i in range(n):
        make_candidacy(rnd, score=90.0 - i, selected=i < selected, rank=i + 1)
    run = SelectionRun.objects.create(
        round=rnd, run_at=timezone.now(), feasible=True, selected_count=selected, objective=1.0
    )
    if decided:
        CommitteeDecision.objects.create(
            round=rnd, selection_run=run, decided_by=acting_user, decided_at=timezone.now(), note="ok"
        )
    return rnd


def statement(company: Company, **values: Any) -> Any:
    """A statement for the last fiscal year unless told otherwise (eligibility reads only a current one)."""
    last_year = timezone.localdate().year - 1
    return FinancialStatementFactory(
        company=company, fiscal_year=values.pop("fiscal_year", last_year), **values
    )


__all__ = [
    "Body",
    "make_assignment",
    "make_candidacy",
    "make_evaluator",
    "make_round",
    "make_selecting_round",
    "statement",
    "submit_review",
]
