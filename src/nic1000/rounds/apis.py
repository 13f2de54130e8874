"""JSON API of rounds: the published selection (public) and the selection run (programme office)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.errors import NotFound
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT
from nic1000.core.schemas import ErrorOut
from nic1000.registry.regions import REGION_KO
from nic1000.rounds import selectors
from nic1000.rounds.models import SelectionRun
from nic1000.rounds.services import selection as selection_services

ROUTER_PREFIX = "/v1"
router = Router(tags=["rounds"])


class SelectedCompany(Schema):
    rank: int
    company: str
    business_registration_number: str
    body: str
    bodies: list[str]
    sector: str
    region: str
    region_name: str


class RoundSelections(Schema):
    round_id: int
    round_number: int
    round_name: str
    published_at: dt.datetime
    count: int
    selections: list[SelectedCompany]


class PublishedRound(Schema):
    id: int
    number: int
    name: str
    published_at: dt.datetime
    selected_count: int


class QuotaProblem(Schema):
    quota: str
    message: str


class SelectionRunOut(Schema):
    round_id: int
    run_at: dt.datetime
    feasible: bool
    selected_count: int
    objective: float | None
    tie_break: str
    diagnosis: list[QuotaProblem]


@router.get("/rounds", response=list[PublishedRound], url_name="round_published_list", auth=None)
def published_rounds(request: HttpRequest) -> list[PublishedRound]:
    """Rounds whose selection has been published."""
    return [
        PublishedRound(
            id=r.pk,
            number=r.number,
            name=r.name,
            published_at=r.publication.published_at,
            selected_count=r.publication.selected_count,
        )
        for r in selectors.published_rounds()
    ]


@router.get(
    "/rounds/{round_id}/selections",
    response={200: RoundSelections, 404: ErrorOut, 422: ErrorOut},
    url_name="round_selections",
    auth=None,
)
def round_selections(request: HttpRequest, round_id: int) -> RoundSelections:
    """The companies selected in a round, public once the round is published (404 before)."""
    rnd = selectors.published_round(pk=round_id)
    rows = list(selectors.published_selections(round=rnd).select_related("company"))
    return RoundSelections(
        round_id=rnd.pk,
        round_number=rnd.number,
        round_name=rnd.name,
        published_at=rnd.publication.published_at,
        count=len(rows),
        selections=[
            SelectedCompany(
                rank=r.rank,
                company=r.company_name,
                business_registration_number=r.company.brn,
                body=r.body.code,
                bodies=[b for b in r.bodies.split(",") if b],
                sector=r.sector,
                region=r.region,
                region_name=REGION_KO.get(r.region, r.region),
            )
            for r in rows
        ],
    )


def _office_user(request: HttpRequest, *, write: bool) -> User:
    """The programme office (or, to read, an auditor); anyone else finds nothing."""
    user = request.user
    if not isinstance(user, User) or not has_role(user, OFFICE if write else OFFICE_AND_AUDIT):
        raise NotFound(_("Not found"))
    return user


def _run_out(run: SelectionRun) -> SelectionRunOut:
    return SelectionRunOut(
        round_id=run.round_id,
        run_at=run.run_at,
        feasible=run.feasible,
        selected_count=run.selected_count,
        objective=run.objective,
        tie_break=_(run.tie_break) if run.tie_break else "",
        diagnosis=[QuotaProblem(quota=t["quota"], message=t["message"]) for t in run.diagnosis_texts],
    )


@router.get(
    "/rounds/{round_id}/selection-run",
    response={200: SelectionRunOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="round_selection_run",
    auth=django_auth,
)
def latest_selection_run(request: HttpRequest, round_id: int) -> SelectionRunOut:
    """The latest selection run of a round, with the quotas that made it infeasible (programme office, auditor)."""
    rnd = selectors.access_round(user=_office_user(request, write=False), pk=round_id)
    run = selectors.latest_selection_run(round=rnd)
    if run is None:
        raise NotFound(_("No selection has been run"))
    return _run_out(run)


@router.post(
    "/rounds/{round_id}/selection-run",
    response={
        200: SelectionRunOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    url_name="round_selection_run_create",
    auth=django_auth,
)
def run_selection(request: HttpRequest, round_id: int) -> SelectionRunOut:
    """Run the selection optimiser (programme office). Infeasible quotas answer 422 with code
    `quotas_infeasible` and one detail per quota that cannot hold."""
    user = _office_user(request, write=True)
    rnd = selectors.access_round(user=user, pk=round_id)
    return _run_out(selection_services.selection_run_or_raise(round=rnd, acting_user=user))
