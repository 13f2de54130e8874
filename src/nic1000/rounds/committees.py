"""Reads for the committees pages: who evaluates each body's candidacies, a committee's members and progress,
and a body's candidacies with their scores and results — each body sees only its own (one 404 otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.roles import OFFICE_AND_AUDIT, Role
from nic1000.registry.models import Body
from nic1000.rounds.models import Candidacy, EvaluatorProfile, Review, Round, RoundBody
from nic1000.rounds.services.committees import committee_progress


def access_round_body(*, user: User, round: Round, code: str) -> Body:
    """The body whose evaluation the user may follow: its own officers, or the office and auditors."""
    body = round.program.bodies.filter(code=code).first()
    if body is None:
        raise Http404
    if has_role(user, OFFICE_AND_AUDIT):
        return body
    if has_role(user, {Role.MINISTRY_OFFICER}) and user.body_id == body.pk:
        return body
    raise Http404


def round_body(*, round: Round, body: Body) -> RoundBody:
    """The body's evaluation setting (central when none is recorded), unsaved when there is none."""
    return RoundBody.objects.filter(round=round, body=body).first() or RoundBody(round=round, body=body)


@dataclass
class BodyRow:
    body: Body
    setting: RoundBody
    progress: dict[str, int]


def committees_overview(*, round: Round) -> list[BodyRow]:
    """Every body of the programme with who evaluates it and its progress (a handful of bodies)."""
    settings = {rb.body_id: rb for rb in RoundBody.objects.filter(round=round)}
    return [
        BodyRow(
            body,
            settings.get(body.pk) or RoundBody(round=round, body=body),
            committee_progress(round=round, body=body),
        )
        for body in round.program.bodies.order_by("sort_order", "id")
    ]


def committee_members(*, body: Body) -> QuerySet[EvaluatorProfile]:
    return (
        EvaluatorProfile.objects.filter(body=body)
        .select_related("user")
        .annotate(n_assigned=Count("assignments", filter=Q(assignments__active=True)))
        .order_by("-active", "user__username")
    )


def body_candidacies(*, round: Round, body: Body) -> QuerySet[Candidacy]:
    """The body's candidacies with the mean of their submitted reviews (the committee's own view of the scores),
    the aggregated score, and the selection's result when there is one."""
    submitted = Q(assignments__active=True, assignments__review__state=Review.State.SUBMITTED)
    return (
        Candidacy.objects.filter(round=round, lead_body=body)
        .select_related("company")
        .annotate(
            review_mean=Avg("assignments__review__total", filter=submitted),
            n_reviews=Count("assignments", filter=submitted),
            n_assigned=Count("assignments", filter=Q(assignments__active=True)),
        )
        .order_by("-eligible", "-review_mean", "company__name_ko", "id")
    )


def committee_context(*, user: User, round: Round, body: Body) -> dict[str, Any]:
    setting = round_body(round=round, body=body)
    body_run = setting.evaluation == RoundBody.Evaluation.BODY
    manages = body_run and (
        has_role(user, {Role.PROGRAM_OFFICE})
        or (has_role(user, {Role.MINISTRY_OFFICER}) and user.body_id == body.pk)
    )
    return {
        "round": round,
        "body": body,
        "setting": setting,
        "body_run": body_run,
        "manages": manages,
        "members": committee_members(body=body) if body_run else EvaluatorProfile.objects.none(),
        "progress": committee_progress(round=round, body=body),
        "candidacies": body_candidacies(round=round, body=body),
    }
