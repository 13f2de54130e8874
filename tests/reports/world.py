"""A small programme with three published rounds, removals, policy finance over several quarters, inspections
and surveys, made directly (bypassing services on purpose) so every KPI has a known answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.finance.models import Application, Disbursement, Repayment
from nic1000.monitoring.models import DifficultySurvey, InspectionResult, InspectionRun, MonthlySurvey
from nic1000.registry.models import Body, Company
from nic1000.rounds.models import Program, Round
from tests.factories import CompanyFactory
from tests.finance.factories import ensure_products, product

EOK = 100_000_000
SEOUL = dt.timezone(dt.timedelta(hours=9))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL)


@dataclass
class World:
    program: Program
    rounds: list[Round]
    companies: list[Company]
    members: list[Membership]
    applications: dict[str, Application] = field(default_factory=dict)


def _round(program: Program, number: int, day: dt.date) -> Round:
    return Round.objects.create(
        program=program, number=number, name=f"{number}차 선정", state="published", published_at=at(day)
    )


def _member(company: Company, rnd: Round, body: str, day: dt.date, sector: str) -> Membership:
    return Membership.objects.create(
        company=company, round=rnd, body=Body.objects.get(code=body), sector=sector, selected_on=day
    )


def _end(m: Membership, status: str, day: dt.date) -> None:
    m.status, m.ended_on = status, day
    if status == Membership.Status.REMOVED:
        m.removal_reason = Membership.RemovalReason.WEAK_MARKETABILITY
        m.removal_note = "test"
    m.save()


def _approved(
    m: Membership,
    code: str,
    amount: int,
    decided: dt.date,
    *,
    paid: list[tuple[dt.date, int]] = (),
    **kw: Any,
) -> Application:  # type: ignore[assignment]
    p = product(code)
    disbursed = sum(a for _d, a in paid)
    app = Application.objects.create(
        company=m.company,
        membership=m,
        channel="direct",
        product=p,
        institution=p.institution,
        purpose=p.kind,
        amount_requested=amount,
        limit_krw=amount * 2,
        state=kw.pop("state", "disbursing" if paid else "approved"),
        approved_amount=amount,
        decided_at=at(decided),
        disbursed_total=disbursed,
        repaid_total=kw.pop("repaid", 0),
        created_at=at(decided - dt.timedelta(days=20)),
        updated_at=at(decided),
    )
    for day, a in paid:
        Disbursement.objects.create(application=app, amount=a, on=day, created_at=at(day))
    return app


R1, R2, R3 = dt.date(2020, 8, 1), dt.date(2021, 5, 20), dt.date(2022, 10, 20)


def build() -> World:
    """Round 1 (2020-08-01): 3 companies; one removed 2021-01-10. Round 2 (2021-05-20): 4; one period ended
    2022-01-01. Round 3 (2022-10-20): 2; one removed 2023-03-01.
    So: R1 3 active; R2 4 selected, 1 refilled, 6 active; R3 2 selected, 1 refilled, 7 active; now 6 active,
    1 place to refill."""
    ensure_products()
    program = Program.objects.create(
        name_ko="혁신기업 국가대표 1000",
        name_en="National Innovation Company 1000",
        starts_on=dt.date(2020, 7, 1),
        target_companies=1000,
    )
    rounds = [_round(program, 1, R1), _round(program, 2, R2), _round(program, 3, R3)]
    founded = [dt.date(2005, 1, 1), dt.date(2019, 1, 1), dt.date(2016, 6, 1)]
    companies = [
        CompanyFactory(
            name_ko=f"지표기업{i}",
            region="11" if i % 3 else "26",
            is_sme=i != 0,
            founded_on=founded[i % 3],
        )
        for i in range(9)
    ]
    plan = [
        (0, "MSS", "semiconductor"), (0, "MSS", "biohealth"), (0, "MOTIE", "semiconductor"),
        (1, "MOTIE", "biohealth"), (1, "MSIT", "semiconductor"), (1, "MSS", "future_car"),
        (1, "MSIT", "future_car"), (2, "MOTIE", "semiconductor"), (2, "MSS", "C"),
    ]  # fmt: skip
    days = [R1, R2, R3]
    members = [_member(companies[i], rounds[r], b, days[r], s) for i, (r, b, s) in enumerate(plan)]
    _end(members[1], Membership.Status.REMOVED, dt.date(2021, 1, 10))
    _end(members[5], Membership.Status.ENDED, dt.date(2022, 1, 1))
    _end(members[7], Membership.Status.REMOVED, dt.date(2023, 3, 1))
    world = World(program=program, rounds=rounds, companies=companies, members=members)
    apps = world.applications
    # 2021Q1: KDB operating loan 10억 to company 0 (MSS), 6억 paid in March, 1억 repaid.
    apps["a"] = _approved(
        members[0],
        "KDB-OPER",
        10 * EOK,
        dt.date(2021, 2, 15),
        paid=[(dt.date(2021, 3, 1), 6 * EOK)],
        repaid=EOK,
    )
    Repayment.objects.create(application=apps["a"], amount=EOK, on=dt.date(2021, 9, 1), created_at=at(R2))
    # 2021Q3: KODIT guarantee 20억 to company 3 (MOTIE), paid in full in 2021Q4.
    apps["b"] = _approved(
        members[3], "KODIT-GUAR", 20 * EOK, dt.date(2021, 8, 2), paid=[(dt.date(2021, 10, 5), 20 * EOK)]
    )
    # 2022Q3: KGF investment 5억 to company 4 (MSIT), and a second KDB loan 3억 to company 0.
    apps["c"] = _approved(members[4], "KGF-INV", 5 * EOK, dt.date(2022, 7, 10))
    apps["d"] = _approved(members[0], "KDB-FAC", 3 * EOK, dt.date(2022, 9, 30))
    # Not counted: a declined and an open application.
    p = product("IBK-OPER")
    for state in ("declined", "submitted"):
        Application.objects.create(
            company=members[6].company, membership=members[6], channel="direct", product=p,
            institution=p.institution, purpose=p.kind, amount_requested=7 * EOK, limit_krw=14 * EOK,
            state=state, decided_at=at(dt.date(2022, 8, 1)) if state == "declined" else None,
            created_at=at(dt.date(2022, 7, 15)), updated_at=at(dt.date(2022, 8, 1)),
        )  # fmt: skip
    # Inspections: 2023-01 (6 normal, 1 warning) and 2023-02 (5 normal, 1 watch, 1 critical).
    for period, levels in (
        ("2023-01", ["normal"] * 6 + ["warning"]),
        ("2023-02", ["normal"] * 5 + ["watch", "critical"]),
    ):
        run = InspectionRun.objects.create(period=period, status="done", created_at=timezone.now())
        active = [m for m in members if m.ended_on is None or m.ended_on > dt.date(2023, 2, 28)]
        for m, level in zip(active, levels, strict=False):
            InspectionResult.objects.create(
                run=run, period=period, company=m.company, membership=m, level=level
            )
    # Surveys: 2023-04 monthly from 3 of the 6 active; 2023H1 six-monthly from 2.
    active_now = [m for m in members if m.ended_on is None]
    for m in active_now[:3]:
        MonthlySurvey.objects.create(
            company=m.company, period="2023-04", support_status="received", submitted_at=timezone.now()
        )
    for m in active_now[:2]:
        DifficultySurvey.objects.create(
            company=m.company, half="2023H1", satisfaction=4, submitted_at=timezone.now()
        )
    return world
