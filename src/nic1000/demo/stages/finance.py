"""Demo stage: after the round's publication, selected companies apply (about 300 applications), institution
officers decide, money is disbursed and some of it repaid — all through the services.

Events are played in time order on a simulated clock that runs from the publication (at most two years back)
up to now, so time in state, the monthly charts and the audit trail of this stage tell one consistent story.
Events that would fall after now have not happened yet: those applications are still open.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.demo.clock import simulated_clock
from nic1000.designations.selectors import active_memberships
from nic1000.finance import selectors as S
from nic1000.finance import services
from nic1000.finance.models import Application, Product, Purpose
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


def run(ctx: Any) -> dict[str, int]:
    rng = ctx.rng_for("finance")
    members = list(active_memberships().order_by("id"))
    if not members:
        ctx.out("finance: no published selection yet, nothing to apply for")
        return {"applications": 0, "approved": 0, "disbursed_krw": 0}
    now = timezone.now()
    first = min(m.selected_on for m in members)
    start = max(
        dt.datetime.combine(first, dt.time(9, 0), tzinfo=timezone.get_current_timezone()),
        now - dt.timedelta(days=730),
    )
    span = max((now - start).total_seconds(), 3600.0)
    target = 30 if ctx.fast else 300

    officers = _officers(ctx)
    reps = {u.company_id: u for u in ctx.users.get(Role.COMPANY, []) if getattr(u, "company_id", None)}
    sales = dict(
        FinancialStatement.objects.filter(company_id__in=[m.company_id for m in members])
        .order_by("company_id", "fiscal_year")
        .values_list("company_id", "sales")
    )  # the latest year wins
    products_by_kind: dict[str, list[Product]] = {}
    for p in S.products_active():
        products_by_kind.setdefault(p.kind, []).append(p)

    clock = {"t": start}
    counts = {
        "applications": 0,
        "approved": 0,
        "declined": 0,
        "refused": 0,
        "disbursements": 0,
        "repayments": 0,
    }
    queue: list[tuple[float, int, Callable[[], None]]] = []
    serial = [0]

    def at(offset_s: float, fn: Callable[[], None]) -> None:
        when = start + dt.timedelta(seconds=offset_s)
        if when < now:
            serial[0] += 1
            heapq.heappush(queue, (offset_s, serial[0], fn))

    def days(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi)) * DAY

    def plan(i: int) -> None:
        m = members[int(rng.integers(len(members)))]
        purpose = PURPOSES[int(rng.choice(len(PURPOSES), p=PURPOSE_P))]
        base_sales = max(int(sales.get(m.company_id) or 0), 500_000_000)
        est = int(base_sales * float(rng.lognormal(0.08, 0.15)))
        export = int(est * float(rng.uniform(0.15, 0.7))) if purpose == Purpose.EXPORT else None
        if purpose == Purpose.INVESTMENT:
            amount = int(rng.integers(5, 60)) * 100_000_000
        else:
            amount = max(int(est * float(rng.uniform(0.04, 0.4))), 100_000_000)
        amount = amount // 10_000_000 * 10_000_000
        center = rng.random() < 0.6
        kinds = products_by_kind.get(purpose, [])
        product = None if center or not kinds else kinds[int(rng.integers(len(kinds)))]
        fate = rng.random()
        info = rng.random() < 0.2
        t0 = float(rng.uniform(0, span * 0.92))
        if fate >= 0.90:  # still being decided: a recent application
            t0 = max(0.0, span - float(rng.uniform(1, 40)) * DAY)
        review_d, info_d, reply_d, decide_d = days(1, 8), days(2, 6), days(2, 9), days(3, 20)
        disb_d, second_d, repay_d = days(3, 25), days(20, 60), days(60, 300)
        split = rng.random() < 0.3
        pays_out = rng.random() < 0.88
        repays = rng.random() < 0.35
        repay_share = float(rng.uniform(0.1, 0.4))
        reason = DECLINE_REASONS[int(rng.integers(len(DECLINE_REASONS)))]
        note = INFO_REQUESTS[int(rng.integers(len(INFO_REQUESTS)))]
        state: dict[str, Any] = {}

        def submit() -> None:
            actor = reps.get(m.company_id, ctx.program_office)
            kwargs = {
                "company": m.company,
                "acting_user": actor,
                "purpose": purpose,
                "channel": "direct" if product else "center",
                "product": product,
                "estimated_sales": est,
                "export_performance": export,
                "needed_by": (clock["t"] + dt.timedelta(days=45)).date(),
                "note": "",
            }
            for amt in (amount, amount // 3 // 10_000_000 * 10_000_000):
                if amt <= 0:
                    break
                try:
                    state["app"] = services.application_submit(amount=amt, **kwargs)
                except ApplicationError:
                    continue
                counts["applications"] += 1
                at(t0 + review_d, review)
                return
            counts["refused"] += 1

        def officer() -> Any:
            return officers[state["app"].institution_id]

        def review() -> None:
            services.application_start_review(application=state["app"], acting_user=officer())
            if info:
                at(t0 + review_d + info_d, request_info)
            else:
                at(t0 + review_d + decide_d, decide)

        def request_info() -> None:
            services.application_request_info(application=state["app"], acting_user=officer(), message=note)
            at(t0 + review_d + info_d + reply_d, reply)

        def reply() -> None:
            actor = reps.get(m.company_id, ctx.program_office)
            services.application_reply(
                application=state["app"], acting_user=actor, reply="요청하신 자료를 첨부합니다"
            )
            at(t0 + review_d + info_d + reply_d + decide_d, decide)

        def decide() -> None:
            app = state["app"]
            if fate < 0.74:
                p = app.product
                services.application_approve(
                    application=app,
                    acting_user=officer(),
                    amount=min(app.amount_requested, app.limit_krw),
                    rate_pct=app.quoted_rate_pct
                    if p.kind not in (Purpose.GUARANTEE, Purpose.INVESTMENT)
                    else None,
                    guarantee_ratio_pct=p.pref_guarantee_ratio_pct if p.kind == Purpose.GUARANTEE else None,
                    maturity_months=min(p.max_maturity_months, 36),
                )
                counts["approved"] += 1
                if pays_out:
                    at(_now_offset() + disb_d, disburse)
            elif fate < 0.90:
                services.application_decline(application=app, acting_user=officer(), reason=reason)
                counts["declined"] += 1
            # else: still under review

        def disburse() -> None:
            app = state["app"]
            approved = int(app.approved_amount or 0)
            first_amount = approved // 2 if split else approved
            services.disbursement_record(
                application=app,
                acting_user=officer(),
                amount=first_amount,
                on=clock["t"].date(),
                reference=f"D-{i:04d}-1",
            )
            counts["disbursements"] += 1
            if split:
                at(_now_offset() + second_d, disburse_rest)
            elif repays and app.product.kind != Purpose.INVESTMENT:
                at(_now_offset() + repay_d, repay)

        def disburse_rest() -> None:
            app = state["app"]
            rest = int(app.approved_amount or 0) - app.disbursed_total
            if rest > 0:
                services.disbursement_record(
                    application=app,
                    acting_user=officer(),
                    amount=rest,
                    on=clock["t"].date(),
                    reference=f"D-{i:04d}-2",
                )
                counts["disbursements"] += 1
            if repays and app.product.kind != Purpose.INVESTMENT:
                at(_now_offset() + repay_d, repay)

        def repay() -> None:
            app = state["app"]
            amt = int(app.disbursed_total * repay_share) // 1_000_000 * 1_000_000
            if amt > 0:
                services.repayment_record(
                    application=app, acting_user=officer(), amount=amt, on=clock["t"].date()
                )
                counts["repayments"] += 1

        at(t0, submit)

    def _now_offset() -> float:
        return (clock["t"] - start).total_seconds()

    for i in range(target):
        plan(i)

    with simulated_clock(start) as sim:
        while queue:
            offset, _, fn = heapq.heappop(queue)
            clock["t"] = start + dt.timedelta(seconds=offset)
            sim.set(clock["t"])
            try:
                fn()
            except ApplicationError as exc:  # a rule refused a step: that application stops there
                ctx.out(f"finance: step refused ({exc.code}): {exc.message}")

    token_counts = _demo_token(ctx)
    totals = S.program_totals()
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
        "open_applications": Application.objects.filter(
            state__in=("submitted", "under_review", "info_requested")
        ).count(),
        **token_counts,
    }


def _officers(ctx: Any) -> dict[int, Any]:
    """One officer per institution: the demo's, or one made here."""
    found = {u.institution_id: u for u in ctx.users.get(Role.INSTITUTION_OFFICER, []) if u.institution_id}
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


def _demo_token(ctx: Any) -> dict[str, int]:
    """A KDB API token so the demo's API can be tried (the secret is printed once)."""
    kdb = Institution.objects.filter(code="KDB").first()
    if kdb is None:
        return {"api_tokens": 0}
    _token, secret = services.api_token_create(
        institution=kdb, name="KDB demo system", acting_user=ctx.program_office
    )
    ctx.out(f"finance: API token for KDB (shown once): {secret}")
    return {"api_tokens": 1}
