"""Demo stage: designated companies apply (about nine applications for ten members, 2023 to now), institution
officers decide, money is disbursed and some of it repaid — all through the services.

Events are played in time order on a simulated clock that runs from January three years back (2023 when run in
2026; the first publication if later) up to now, so time in state, the monthly charts and the audit trail of this stage tell one consistent story.
Events that would fall after now have not happened yet: those applications are still open.

Each application's story is drawn up front (`_draw_plan`, in a fixed order: the random stream depends on it)
and then told step by step (`_Story`): submit, review, perhaps a request for information and the reply, the
decision, one or two disbursements, perhaps a repayment.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.demo.clock import simulated_clock
from nic1000.demo.context import DemoContext
from nic1000.designations.models import Membership
from nic1000.designations.selectors import active_memberships
from nic1000.finance import selectors, services, tokens
from nic1000.finance.models import Application, Product, Purpose
from nic1000.finance.workflows import OPEN_STATES
from nic1000.registry.models import FinancialStatement, Institution

PURPOSES = [Purpose.OPERATING, Purpose.FACILITY, Purpose.EXPORT, Purpose.GUARANTEE, Purpose.INVESTMENT]
PURPOSE_P = [0.34, 0.14, 0.12, 0.27, 0.13]
DECLINE_REASONS = [
    "상환능력 대비 신청 금액 과다",
    "최근 결산 기준 자본잠식 우려",
    "사업계획의 시장성 검증 부족",
    "기존 여신 연체 이력",
]
INFO_REQUESTS = [
    "최근 수주 계약서 사본을 제출해 주세요",
    "자금 사용 계획서를 보완해 주세요",
    "수출 실적 증빙을 보내 주세요",
]
DAY = 86400.0
APPROVED_BELOW = 0.74  # an application's fate: approved below this, declined below DECIDED_BELOW, else open
DECIDED_BELOW = 0.90
HISTORY_YEARS = 3  # applications from January three years back (2023 in 2026) up to now
APPLICATIONS_PER_TEN_MEMBERS = 9


def run(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("finance")
    members = list(active_memberships().order_by("id"))
    if not members:
        ctx.out("finance: no published selection yet, nothing to apply for")
        return {"applications": 0, "approved": 0, "disbursed_krw": 0}
    now = timezone.now()
    first = min(m.selected_on for m in members)
    tz = timezone.get_current_timezone()
    start = max(
        dt.datetime.combine(first, dt.time(9, 0), tzinfo=tz),
        dt.datetime(timezone.localdate(now).year - HISTORY_YEARS, 1, 2, 9, 0, tzinfo=tz),
    )
    span = max((now - start).total_seconds(), 3600.0)
    world = _World(
        ctx=ctx,
        timeline=_Timeline(start=start, now=now),
        officers=_officers(ctx),
        reps={u.company_id: u for u in ctx.users.get(Role.COMPANY, []) if u.company_id},
    )
    sales = _latest_sales(members)
    products_by_kind: dict[str, list[Product]] = {}
    for p in selectors.products_active():
        products_by_kind.setdefault(p.kind, []).append(p)
    for i in range(_how_many(ctx, len(members))):
        plan = _draw_plan(i, rng, members=members, sales=sales, products_by_kind=products_by_kind, span=span)
        story = _Story(plan=plan, world=world)
        world.timeline.at(plan.t0, story.submit)
    world.timeline.play(lambda exc: ctx.out(f"finance: step refused ({exc.code}): {exc.message}"))
    return _summary(ctx, world.counts)


def _how_many(ctx: DemoContext, members: int) -> int:
    """Applications over the years: about nine for every ten members (30 in fast runs)."""
    return 30 if ctx.fast else max(30, members * APPLICATIONS_PER_TEN_MEMBERS // 10)


def _latest_sales(members: list[Membership]) -> dict[int, int | None]:
    """Each member's sales in its latest statement (the latest year wins)."""
    return dict(
        FinancialStatement.objects.filter(company_id__in=[m.company_id for m in members])
        .order_by("company_id", "fiscal_year")
        .values_list("company_id", "sales")
    )


def _officers(ctx: DemoContext) -> dict[int, User]:
    """One officer per institution: the demo's, or one made here."""
    found = {
        u.institution_id: u
        for u in ctx.users.get(Role.INSTITUTION_OFFICER, [])
        if u.institution_id is not None
    }
    for inst in Institution.objects.all():
        if inst.pk not in found:
            found[inst.pk] = ctx.create_user(
                username=f"inst_{inst.code.lower()}",
                role=Role.INSTITUTION_OFFICER,
                display_name=inst.name_ko,
                binding=inst.code,
                institution=inst,
            )
    return found


def _summary(ctx: DemoContext, counts: dict[str, int]) -> dict[str, int]:
    token_counts = _demo_token(ctx)
    totals = selectors.program_totals()
    ctx.out(
        f"finance: {counts['applications']} applications, {counts['approved']} approved, "
        f"{totals.total_krw:,} KRW supported, {totals.disbursed_krw:,} KRW disbursed"
    )
    return {
        "applications": counts["applications"],
        "approved": counts["approved"],
        "declined": counts["declined"],
        "disbursements": counts["disbursements"],
        "repayments": counts["repayments"],
        "disbursed_krw": totals.disbursed_krw,
        "open_applications": Application.objects.filter(state__in=OPEN_STATES).count(),
        **token_counts,
    }


def _demo_token(ctx: DemoContext) -> dict[str, int]:
    """A KDB API token so the demo's API can be tried (the secret is printed once)."""
    kdb = Institution.objects.filter(code="KDB").first()
    if kdb is None:
        return {"api_tokens": 0}
    _token, secret = tokens.api_token_create(
        institution=kdb, name="KDB 여신 시스템 (시연)", acting_user=ctx.office
    )
    ctx.out(f"finance: API token for KDB (shown once): {secret}")
    return {"api_tokens": 1}


# ---------------------------------------------------------------- the simulated timeline


class _Timeline:
    """Steps in time order on a simulated clock from `start`; a step that would fall after `now` has not
    happened yet and is dropped."""

    def __init__(self, *, start: dt.datetime, now: dt.datetime) -> None:
        self.start = start
        self.now = now
        self.t = start
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._serial = 0  # ties keep the order they were planned in

    def at(self, offset_s: float, step: Callable[[], None]) -> None:
        if self.start + dt.timedelta(seconds=offset_s) < self.now:
            self._serial += 1
            heapq.heappush(self._queue, (offset_s, self._serial, step))

    def elapsed(self) -> float:
        """Seconds from the start to the step being played."""
        return (self.t - self.start).total_seconds()

    def play(self, refused: Callable[[ApplicationError], None]) -> None:
        """Play every step; a step a rule refuses ends that story there."""
        with simulated_clock(self.start) as sim:
            while self._queue:
                offset, _, step = heapq.heappop(self._queue)
                self.t = self.start + dt.timedelta(seconds=offset)
                sim.set(self.t)
                try:
                    step()
                except ApplicationError as exc:
                    refused(exc)


@dataclass
class _World:
    ctx: DemoContext
    timeline: _Timeline
    officers: dict[int, User]  # institution id → its officer
    reps: dict[int, User]  # company id → its representative (else the programme office applies)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("applications", "approved", "declined", "refused", "disbursements", "repayments"), 0
        )
    )


# ---------------------------------------------------------------- one application's story


@dataclass(frozen=True)
class _Plan:
    i: int
    membership: Membership
    purpose: str
    estimated_sales: int
    export_performance: int | None
    amount: int
    product: Product | None  # None: through the Center
    fate: float  # see APPROVED_BELOW, DECIDED_BELOW
    asks_for_info: bool
    t0: float  # seconds after the timeline's start
    review_d: float
    info_d: float
    reply_d: float
    decide_d: float
    disburse_d: float
    second_d: float
    repay_d: float
    split: bool  # disbursed in two payments
    pays_out: bool
    repays: bool
    repay_share: float
    decline_reason: str
    info_request: str


def _draw_plan(
    i: int,
    rng: np.random.Generator,
    *,
    members: list[Membership],
    sales: dict[int, int | None],
    products_by_kind: dict[str, list[Product]],
    span: float,
) -> _Plan:
    """One application's story: who applies, for what, how much, and when each step would happen."""

    def days(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi)) * DAY

    m = members[int(rng.integers(len(members)))]
    purpose = PURPOSES[int(rng.choice(len(PURPOSES), p=PURPOSE_P))]
    base_sales = max(int(sales.get(m.company_id) or 0), 500_000_000)
    est = int(base_sales * float(rng.lognormal(0.08, 0.15)))
    export = int(est * float(rng.uniform(0.15, 0.7))) if purpose == Purpose.EXPORT else None
    if purpose == Purpose.INVESTMENT:
        amount = int(rng.integers(5, 60)) * 100_000_000
    else:
        amount = max(int(est * float(rng.uniform(0.04, 0.4))), 100_000_000)
    center = rng.random() < 0.6
    kinds = products_by_kind.get(purpose, [])
    product = None if center or not kinds else kinds[int(rng.integers(len(kinds)))]
    fate = float(rng.random())
    info = bool(rng.random() < 0.2)
    t0 = float(rng.uniform(0, span * 0.92))
    if fate >= DECIDED_BELOW:  # still being decided: a recent application
        t0 = max(0.0, span - float(rng.uniform(1, 40)) * DAY)
    review_d, info_d, reply_d, decide_d = days(1, 8), days(2, 6), days(2, 9), days(3, 20)
    disburse_d, second_d, repay_d = days(3, 25), days(20, 60), days(60, 300)
    return _Plan(
        i=i,
        membership=m,
        purpose=purpose,
        estimated_sales=est,
        export_performance=export,
        amount=amount // 10_000_000 * 10_000_000,
        product=product,
        fate=fate,
        asks_for_info=info,
        t0=t0,
        review_d=review_d,
        info_d=info_d,
        reply_d=reply_d,
        decide_d=decide_d,
        disburse_d=disburse_d,
        second_d=second_d,
        repay_d=repay_d,
        split=bool(rng.random() < 0.3),
        pays_out=bool(rng.random() < 0.88),
        repays=bool(rng.random() < 0.35),
        repay_share=float(rng.uniform(0.1, 0.4)),
        decline_reason=DECLINE_REASONS[int(rng.integers(len(DECLINE_REASONS)))],
        info_request=INFO_REQUESTS[int(rng.integers(len(INFO_REQUESTS)))],
    )


@dataclass
class _Story:
    """The steps of one planned application; each step schedules the next on the timeline."""

    plan: _Plan
    world: _World
    app: Application | None = None

    @property
    def application(self) -> Application:
        assert self.app is not None, "submitted first"
        return self.app

    def _company_side(self) -> User:
        return self.world.reps.get(self.plan.membership.company_id, self.world.ctx.office)

    def _officer(self) -> User:
        return self.world.officers[self.application.institution_id]

    def _then(self, offset_s: float, step: Callable[[], None]) -> None:
        self.world.timeline.at(offset_s, step)

    def submit(self) -> None:
        """Apply for the amount; if a rule refuses it, for a third of it; else the company gives up."""
        p = self.plan
        for amount in (p.amount, p.amount // 3 // 10_000_000 * 10_000_000):
            if amount <= 0:
                break
            try:
                self.app = services.application_submit(
                    company=p.membership.company,
                    acting_user=self._company_side(),
                    purpose=p.purpose,
                    channel="direct" if p.product else "center",
                    product=p.product,
                    estimated_sales=p.estimated_sales,
                    export_performance=p.export_performance,
                    needed_by=(self.world.timeline.t + dt.timedelta(days=45)).date(),
                    note="",
                    amount=amount,
                )
            except ApplicationError:
                continue
            self.world.counts["applications"] += 1
            self._then(p.t0 + p.review_d, self.review)
            return
        self.world.counts["refused"] += 1

    def review(self) -> None:
        p = self.plan
        services.application_start_review(application=self.application, acting_user=self._officer())
        if p.asks_for_info:
            self._then(p.t0 + p.review_d + p.info_d, self.request_info)
        else:
            self._then(p.t0 + p.review_d + p.decide_d, self.decide)

    def request_info(self) -> None:
        p = self.plan
        services.application_request_info(
            application=self.application, acting_user=self._officer(), message=p.info_request
        )
        self._then(p.t0 + p.review_d + p.info_d + p.reply_d, self.reply)

    def reply(self) -> None:
        p = self.plan
        services.application_reply(
            application=self.application, acting_user=self._company_side(), reply="요청하신 자료를 첨부합니다"
        )
        self._then(p.t0 + p.review_d + p.info_d + p.reply_d + p.decide_d, self.decide)

    def decide(self) -> None:
        p, app = self.plan, self.application
        if p.fate < APPROVED_BELOW:
            kind = app.product.kind
            services.application_approve(
                application=app,
                acting_user=self._officer(),
                amount=min(app.amount_requested, app.limit_krw),
                rate_pct=app.quoted_rate_pct if kind not in (Purpose.GUARANTEE, Purpose.INVESTMENT) else None,
                guarantee_ratio_pct=app.product.pref_guarantee_ratio_pct
                if kind == Purpose.GUARANTEE
                else None,
                maturity_months=min(app.product.max_maturity_months, 36),
            )
            self.world.counts["approved"] += 1
            if p.pays_out:
                self._then(self.world.timeline.elapsed() + p.disburse_d, self.disburse)
        elif p.fate < DECIDED_BELOW:
            services.application_decline(
                application=app, acting_user=self._officer(), reason=p.decline_reason
            )
            self.world.counts["declined"] += 1
        # else: still under review

    def _pay(self, amount: int, n: int) -> None:
        services.disbursement_record(
            application=self.application,
            acting_user=self._officer(),
            amount=amount,
            on=self.world.timeline.t.date(),
            reference=f"D-{self.plan.i:04d}-{n}",
        )
        self.world.counts["disbursements"] += 1

    def _repayment_due(self) -> None:
        if self.plan.repays and self.application.product.kind != Purpose.INVESTMENT:
            self._then(self.world.timeline.elapsed() + self.plan.repay_d, self.repay)

    def disburse(self) -> None:
        """The first payment: all of it, or half when the money is paid out in two."""
        approved = int(self.application.approved_amount or 0)
        self._pay(approved // 2 if self.plan.split else approved, 1)
        if self.plan.split:
            self._then(self.world.timeline.elapsed() + self.plan.second_d, self.disburse_rest)
        else:
            self._repayment_due()

    def disburse_rest(self) -> None:
        app = self.application
        rest = int(app.approved_amount or 0) - app.disbursed_total
        if rest > 0:
            self._pay(rest, 2)
        self._repayment_due()

    def repay(self) -> None:
        app = self.application
        amount = int(app.disbursed_total * self.plan.repay_share) // 1_000_000 * 1_000_000
        if amount > 0:
            services.repayment_record(
                application=app, acting_user=self._officer(), amount=amount, on=self.world.timeline.t.date()
            )
            self.world.counts["repayments"] += 1
