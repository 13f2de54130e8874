"""Demo stage: inspections through the task path, support cases with actions, surveys and a removal.

Half-yearly inspections (June and December) from three years back, each run on a simulated clock when it was
due, then the last months' monthly inspections around the restatements (see `run`).

The inspections are enqueued as Django Tasks and executed by django-tasks-db's own worker loop in batch mode
(the default queue), exactly what `nic1000 worker` does, so the demo exercises the real path.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.demo.clock import simulated_clock
from nic1000.demo.context import DemoContext
from nic1000.demo.stages import designations as designations_stage
from nic1000.designations.selectors import active_memberships
from nic1000.monitoring import services
from nic1000.monitoring.models import (
    CaseAction,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    SupportCase,
)
from nic1000.monitoring.tasks import inspection_enqueue, inspection_task
from nic1000.registry.models import FinancialStatement, Institution
from nic1000.registry.services import statement_submit

HISTORY_SINCE_YEAR = 3  # half-yearly inspections from 2023 when run in 2026 (as the finance stage's history)


def run(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("monitoring")
    office = ctx.office
    group = list(ctx.users.get(Role.SUPPORT_GROUP, [])) or [office]
    periods = _periods(2 if ctx.fast else 4)
    half = len(periods) // 2
    earlier = [] if ctx.fast else _half_years(before=periods[0])
    for period in earlier:  # the half-yearly inspections of the years before, each run when it was due
        year, month = (int(x) for x in period.split("-"))
        due = dt.datetime(year + month // 12, month % 12 + 1, 1, 9, 0, tzinfo=timezone.get_current_timezone())
        with simulated_clock(due):
            _inspect(ctx, [period])
    if earlier:
        ctx.out(f"monitoring: half-yearly inspections {earlier[0]} to {earlier[-1]} done")
    # The earlier months, then audited statements that come in worse than the preliminary figures, then the
    # later months: the risk trend turns for those companies and their warnings open support cases.
    _inspect(ctx, periods[:half])
    restated = _restatements(rng, office)
    _inspect(ctx, periods[half:])
    latest = periods[-1]
    ctx.out(
        f"monitoring: inspections {', '.join(periods)} done; {restated} companies restated their statements"
    )
    warnings = InspectionResult.objects.filter(period=latest, level__in=["warning", "critical"]).count()
    _work_cases(ctx, rng, group)
    surveys = _surveys(ctx, rng, latest, group[0])
    removals = _removal(ctx)
    return {
        "inspections": len(earlier) + len(periods),
        "warnings": warnings,
        "cases": SupportCase.objects.count(),
        "case_actions": CaseAction.objects.count(),
        "surveys": surveys,
        "removals": removals,
        "restatements": restated,
    }


def _periods(n: int) -> list[str]:
    """The last n months, oldest first ("YYYY-MM")."""
    today = timezone.localdate()
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _half_years(*, before: str, since: int = HISTORY_SINCE_YEAR) -> list[str]:
    """June and December of every year from `since` (three years back) that come before the period `before`."""
    first = timezone.localdate().year - since
    return [p for y in range(first, int(before[:4]) + 1) for p in (f"{y}-06", f"{y}-12") if p < before]


def _run_worker_batch() -> None:
    """django-tasks-db's own worker loop in batch mode: runs what is queued, then returns."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"demo-{get_random_string(8)}",
        excluded_queue_names=[],
    ).run()


def _inspect(ctx: DemoContext, periods: list[str]) -> None:
    office = ctx.office
    for period in periods:
        with transaction.atomic():
            inspection_enqueue(period=period, acting_user=office, trigger=InspectionRun.Trigger.MONTHLY)
    try:
        _run_worker_batch()
    except Exception as exc:  # pragma: no cover - fall back to running the task in-process
        ctx.out(f"monitoring: worker batch failed ({exc}); running the task directly")
    for period in periods:  # anything the worker did not finish (e.g. another backend) runs here
        run_ = InspectionRun.objects.get(period=period)
        if run_.status != InspectionRun.Status.DONE:
            inspection_task.call(period=period, trigger="monthly", requested_by_id=office.pk)


def _restatements(rng: np.random.Generator, office: User) -> int:
    """About one selected company in 25 (at least two) files audited statements for its latest year with a
    write-down that wipes out its equity (완전자본잠식): a going-concern signal the alert rules act on. Entered by
    the programme office through the registry's statement service."""
    active = sorted(active_memberships().values_list("company_id", flat=True))
    if not active:
        return 0
    picks = sorted(
        int(c) for c in rng.choice(active, size=min(len(active), max(2, len(active) // 25)), replace=False)
    )
    latest = {
        s.company_id: s
        for s in FinancialStatement.objects.filter(company_id__in=picks).order_by("company_id", "fiscal_year")
    }  # the latest year wins
    done = 0
    for company_id in picks:
        statement = latest.get(company_id)
        if statement is None:
            continue
        values = written_down(statement.items(), share=float(rng.uniform(0.03, 0.12)))
        statement_submit(
            company=statement.company,
            fiscal_year=statement.fiscal_year,
            values=values,
            acting_user=office,
            source="form",
            credit_delinquency=statement.credit_delinquency,
        )
        done += 1
    return done


def written_down(items: dict[str, int], *, share: float) -> dict[str, int]:
    """The statement after a write-down of all the equity plus `share` of total assets: the loss runs through
    extraordinary items, gross and net profit and retained earnings; fixed assets absorb it first, then current
    assets (cash, securities, receivables and inventory scaled to fit). It still balances."""
    v = {k: int(x or 0) for k, x in items.items()}
    loss = max(v["equity"], 0) + int(share * v["total_assets"])
    loss = min(loss, v["total_assets"] - 1)  # something is left on the balance sheet
    for name in ("extraordinary_items", "gross_profit", "net_profit", "retained_earnings", "equity"):
        v[name] -= loss
    from_fixed = min(loss, v["fixed_assets"])
    v["fixed_assets"] -= from_fixed
    v["current_assets"] -= loss - from_fixed
    v["total_assets"] -= loss
    parts = ("cash", "short_term_securities", "receivables", "inventory")
    held = sum(v[p] for p in parts)
    if held > v["current_assets"] and held > 0:
        scale = v["current_assets"] / held
        for p in parts:
            v[p] = int(v[p] * scale)
    return v


def _work_cases(ctx: DemoContext, rng: np.random.Generator, group: list[User]) -> None:
    """The support group takes the open cases in turn: an owner and a due date, a call; every third case is
    started with a maturity extension asked of an institution, some are referred and resolved."""
    cases = list(SupportCase.objects.filter(state="open").order_by("id"))
    institutions = list(_institutions())
    for i, case in enumerate(cases[: (6 if ctx.fast else 60)]):
        owner = group[i % len(group)]
        services.case_assign(
            case=case,
            owner=owner,
            due_on=timezone.localdate() + dt.timedelta(days=int(rng.integers(7, 30))),
            acting_user=owner,
        )
        services.case_action_add(
            case=case,
            kind=CaseAction.Kind.CONTACT,
            note="대표이사와 전화 상담, 자금 사정 확인",
            acting_user=owner,
        )
        if i % 3 == 0:
            services.case_transition(case=case, transition="start", reason="", acting_user=owner)
            if institutions:
                services.case_action_add(
                    case=case,
                    kind=CaseAction.Kind.MATURITY_EXTENSION,
                    note="만기연장 요청 공문 발송",
                    institution=institutions[i % len(institutions)],
                    acting_user=owner,
                )
        if i % 5 == 1:
            services.case_action_add(
                case=case,
                kind=CaseAction.Kind.REFERRAL,
                note="중기부 재도약 지원사업 연계",
                acting_user=owner,
            )
            services.case_transition(case=case, transition="resolve", reason="연계 완료", acting_user=owner)


def _institutions() -> QuerySet[Institution]:
    return Institution.objects.filter(kind__in=["bank", "guarantee"]).order_by("sort_order")


def _surveys(ctx: DemoContext, rng: np.random.Generator, period: str, reviewer: User) -> int:
    """Company representatives of active members answer the monthly and the half-yearly survey; the support
    group reviews every other monthly answer."""
    active = set(active_memberships().values_list("company_id", flat=True))
    reps = [u for u in ctx.users.get(Role.COMPANY, []) if u.company_id in active]
    n = 0
    for i, rep in enumerate(reps[: (4 if ctx.fast else 40)]):
        assert rep.company is not None
        status = MonthlySurvey.SupportStatus.values[int(rng.integers(0, 4))]
        s = services.monthly_survey_submit(
            company=rep.company,
            period=period,
            values={
                "support_status": status,
                "financing_need": int(rng.integers(0, 50)) * 100_000_000,
                "financing_plan": "운영자금 대출 신청 예정",
                "needs_help": bool(rng.random() < 0.3),
            },
            acting_user=rep,
        )
        n += 1
        services.difficulty_survey_submit(
            company=rep.company,
            half=services.half_of(),
            values={
                "satisfaction": int(rng.integers(2, 6)),
                "difficulties": ["funding", "interest"] if i % 2 else ["sales"],
                "improvements": "보증 심사 기간 단축 필요",
            },
            acting_user=rep,
        )
        n += 1
        if i % 2 == 0:
            services.survey_review(survey=s, note="확인, 담당자 배정", acting_user=reviewer)
    return n


def _removal(ctx: DemoContext) -> int:
    """Up to two members with a critical result are removed at this half-year's re-evaluation (their bodies
    recommend it, the office decides; `demo.stages.designations.reevaluate`)."""
    critical = InspectionResult.objects.filter(level="critical").values_list("company_id", flat=True)
    victims = list(active_memberships().filter(company_id__in=critical).order_by("company_id")[:2])
    officers = {u.body.code: u for u in ctx.users.get(Role.MINISTRY_OFFICER, []) if u.body is not None}
    note = "반기 재평가: 완전자본잠식 지속, 계속기업 가치 훼손"
    return designations_stage.reevaluate(
        ctx,
        day=timezone.localdate(),
        officers=officers,
        remove=[(m, "going_concern", note) for m in victims],
        others=[],
    )
