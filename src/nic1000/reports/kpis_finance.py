"""Policy finance figures: by quarter and year against the plan, by institution, by product, the share of
designated companies financed, and designations with their finance per ministry (part of `reports.kpis`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.finance.models import REPORT_GROUP, Application, Disbursement, Purpose, Repayment
from nic1000.finance.workflows import APPROVED_STATES
from nic1000.registry.models import Body, Institution
from nic1000.reports.kpis_base import (
    FINANCE_PLAN_KRW,
    day_end_exclusive,
    day_start,
    plan,
    quarter_end,
    quarter_label,
    today,
)

GROUPS = ("loans", "guarantees", "investment")


# ---------------------------------------------------------------- policy finance


@dataclass
class QuarterFinance:
    quarter: str  # 2026Q3
    ends_on: dt.date
    cases: int = 0
    approved: int = 0
    by_group: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    disbursed: int = 0
    cumulative_approved: int = 0
    plan_to_date: int = 0

    @property
    def plan_share(self) -> float:
        return self.cumulative_approved / FINANCE_PLAN_KRW


@dataclass
class YearFinance:
    year: int
    cases: int = 0
    approved: int = 0
    by_group: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    disbursed: int = 0
    cumulative_approved: int = 0
    plan_to_date: int = 0


def _approved() -> QuerySet[Application]:
    return Application.objects.filter(state__in=APPROVED_STATES, decided_at__isnull=False)


def _quarter_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every quarter from the one holding `first` to the one holding `last`."""
    day = dt.date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    out = []
    while day <= last:
        out.append(day)
        day = quarter_end(day) + dt.timedelta(days=1)
    return out


def _quarter_index(name: str, starts: list[dt.date], *, aware: bool) -> Case:
    """A SQL CASE giving each row the index of its quarter in `starts` (a comparison per quarter, no
    per-row function: SQLite computes Trunc* in Python, slow over tens of thousands of rows)."""
    bounds = [quarter_end(s) + dt.timedelta(days=1) for s in starts]
    return Case(
        *(When(**{f"{name}__lt": day_start(b) if aware else b}, then=Value(i)) for i, b in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def finance_by_quarter(*, as_of: dt.date | None = None) -> list[QuarterFinance]:
    """Approved (by decision date, Asia/Seoul) and disbursed (by payment date) KRW per quarter, from the first
    quarter with money up to the quarter of `as_of`, with the cumulative approved amount against the plan
    (four queries)."""
    as_of = as_of or today()
    approved_qs = _approved().filter(decided_at__lt=day_end_exclusive(as_of))
    paid_qs = Disbursement.objects.filter(on__lte=as_of)
    first_decided = approved_qs.aggregate(m=Min("decided_at"))["m"]
    first_paid = paid_qs.aggregate(m=Min("on"))["m"]
    firsts = [d for d in (first_paid, first_decided and timezone.localtime(first_decided).date()) if d]
    if not firsts:
        return []
    starts = _quarter_starts(min(firsts), as_of)
    quarters = [QuarterFinance(quarter=quarter_label(s), ends_on=quarter_end(s)) for s in starts]
    approved = (
        approved_qs.annotate(q=_quarter_index("decided_at", starts, aware=True))
        .values_list("q", "product__kind")
        .annotate(cases=Count("id"), amount=Sum("approved_amount"))
        .order_by()
    )
    for index, kind, cases, amount in approved:
        q = quarters[index]
        q.cases += int(cases)
        q.approved += int(amount or 0)
        q.by_group[REPORT_GROUP[Purpose(kind)]] += int(amount or 0)
    paid = (
        paid_qs.annotate(q=_quarter_index("on", starts, aware=False))
        .values_list("q")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for index, amount in paid:
        quarters[index].disbursed += int(amount or 0)
    the_plan = plan()
    running = 0
    for q in quarters:
        running += q.approved
        q.cumulative_approved = running
        q.plan_to_date = the_plan.plan_to(min(q.ends_on, as_of))
    return quarters


def finance_by_year(*, as_of: dt.date | None = None) -> list[YearFinance]:
    years: dict[int, YearFinance] = {}
    for q in finance_by_quarter(as_of=as_of):
        y = years.setdefault(q.ends_on.year, YearFinance(year=q.ends_on.year))
        y.cases += q.cases
        y.approved += q.approved
        y.disbursed += q.disbursed
        for g, v in q.by_group.items():
            y.by_group[g] += v
        y.cumulative_approved = q.cumulative_approved
        y.plan_to_date = q.plan_to_date
    return [years[k] for k in sorted(years)]


@dataclass(frozen=True)
class InstitutionFinance:
    """One institution's figures; `*_in_window` count what happened between `start` and `end`, the others
    everything up to `end`."""

    code: str
    name: str
    applications_in_window: int
    cases_in_window: int
    approved_in_window: int
    disbursed_in_window: int
    cases: int
    companies: int
    approved: int
    disbursed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return self.disbursed - self.repaid


def _money_by(
    model: type[Disbursement] | type[Repayment], key: str, start: dt.date | None, end: dt.date
) -> tuple[dict[object, int], dict[object, int]]:
    """Money paid (or repaid) up to `end`, and within the window, grouped by `key` (one query)."""
    window = Q(on__lte=end) & (Q(on__gte=start) if start else Q())
    rows = (
        model.objects.filter(on__lte=end)
        .values_list(key)
        .annotate(total=Sum("amount"), in_window=Sum("amount", filter=window))
        .order_by()
    )
    total = {k: int(t or 0) for k, t, _w in rows}
    in_window = {k: int(w or 0) for k, _t, w in rows}
    return total, in_window


def by_institution(*, start: dt.date | None = None, end: dt.date | None = None) -> list[InstitutionFinance]:
    """Every institution (with money or not), in their order (four queries)."""
    end = end or today()
    end_x = day_end_exclusive(end)
    window = Q(decided_at__lt=end_x) & (Q(decided_at__gte=day_start(start)) if start else Q())
    created = Q(created_at__lt=end_x) & (Q(created_at__gte=day_start(start)) if start else Q())
    approved = Q(state__in=APPROVED_STATES, decided_at__lt=end_x)
    rows = {
        r["institution_id"]: r
        for r in Application.objects.values("institution_id")
        .annotate(
            applications_in_window=Count("id", filter=created),
            cases_in_window=Count("id", filter=approved & window),
            approved_in_window=Sum("approved_amount", filter=approved & window),
            cases=Count("id", filter=approved),
            companies=Count("company_id", filter=approved, distinct=True),
            approved=Sum("approved_amount", filter=approved),
        )
        .order_by()
    }
    paid, paid_window = _money_by(Disbursement, "application__institution_id", start, end)
    repaid, _repaid_window = _money_by(Repayment, "application__institution_id", start, end)
    out = []
    for inst in Institution.objects.order_by("sort_order", "code").values("id", "code", "name_ko"):
        r = rows.get(inst["id"], {})
        out.append(
            InstitutionFinance(
                code=inst["code"],
                name=inst["name_ko"],
                applications_in_window=int(r.get("applications_in_window") or 0),
                cases_in_window=int(r.get("cases_in_window") or 0),
                approved_in_window=int(r.get("approved_in_window") or 0),
                disbursed_in_window=paid_window.get(inst["id"], 0),
                cases=int(r.get("cases") or 0),
                companies=int(r.get("companies") or 0),
                approved=int(r.get("approved") or 0),
                disbursed=paid.get(inst["id"], 0),
                repaid=repaid.get(inst["id"], 0),
            )
        )
    return out


@dataclass(frozen=True)
class ProductFinance:
    code: str
    name: str
    institution_code: str
    kind: str
    kind_label: str
    cases: int
    approved: int
    disbursed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return self.disbursed - self.repaid


def by_product(*, as_of: dt.date | None = None) -> list[ProductFinance]:
    """Every product with approved money up to `as_of` (one query; running totals kept on the application)."""
    as_of = as_of or today()
    rows = (
        _approved()
        .filter(decided_at__lt=day_end_exclusive(as_of))
        .values("product__code", "product__name_ko", "institution__code", "product__kind")
        .annotate(
            cases=Count("id"),
            approved=Sum("approved_amount"),
            disbursed=Sum("disbursed_total"),
            repaid=Sum("repaid_total"),
            order=Min("product__sort_order"),
        )
        .order_by("order", "product__code")
    )
    labels = dict(Purpose.choices)
    return [
        ProductFinance(
            code=r["product__code"],
            name=r["product__name_ko"],
            institution_code=r["institution__code"],
            kind=r["product__kind"],
            kind_label=str(labels.get(r["product__kind"], r["product__kind"])),
            cases=int(r["cases"]),
            approved=int(r["approved"] or 0),
            disbursed=int(r["disbursed"] or 0),
            repaid=int(r["repaid"] or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class FinancedShare:
    """Designated companies (ever, up to the date) and how many of them had policy finance approved."""

    designated: int
    financed: int
    active: int
    active_financed: int

    @property
    def share(self) -> float:
        return self.financed / self.designated if self.designated else 0.0

    @property
    def active_share(self) -> float:
        return self.active_financed / self.active if self.active else 0.0


def financed_share(*, as_of: dt.date | None = None) -> FinancedShare:
    """Two queries: designated companies, and those of them with an approval decided by `as_of`."""
    as_of = as_of or today()
    financed_ids = (
        _approved().filter(decided_at__lt=day_end_exclusive(as_of)).values("company_id").distinct().order_by()
    )
    designated = Membership.objects.filter(selected_on__lte=as_of)
    active = Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    agg = designated.aggregate(
        designated=Count("company_id", distinct=True),
        financed=Count("company_id", distinct=True, filter=Q(company_id__in=financed_ids)),
        active=Count("company_id", distinct=True, filter=active),
        active_financed=Count("company_id", distinct=True, filter=active & Q(company_id__in=financed_ids)),
    )
    return FinancedShare(**{k: int(v or 0) for k, v in agg.items()})


# ---------------------------------------------------------------- per ministry


@dataclass(frozen=True)
class MinistryRow:
    """One nominating body: designations (`new`/`removed` within the window, the others up to `end`) and the
    policy finance its designated companies received."""

    code: str
    name: str
    designated: int
    active: int
    new_in_window: int
    removed_in_window: int
    removed: int
    financed_companies: int
    approved_in_window: int
    approved: int

    @property
    def financed_share(self) -> float:
        return self.financed_companies / self.designated if self.designated else 0.0


def by_ministry_detail(*, start: dt.date | None = None, end: dt.date | None = None) -> list[MinistryRow]:
    """Every body with designations (three queries)."""
    end = end or today()
    end_x = day_end_exclusive(end)
    since = Q(selected_on__gte=start) if start else Q()
    ended_since = Q(ended_on__gte=start) if start else Q()
    removed = Q(status=Membership.Status.REMOVED, ended_on__lte=end)
    members = {
        r["body_id"]: r
        for r in Membership.objects.filter(selected_on__lte=end)
        .values("body_id")
        .annotate(
            designated=Count("id"),
            active=Count("id", filter=Q(ended_on__isnull=True) | Q(ended_on__gt=end)),
            new=Count("id", filter=since),
            removed_window=Count("id", filter=removed & ended_since),
            removed=Count("id", filter=removed),
        )
        .order_by()
    }
    window = Q(decided_at__gte=day_start(start)) if start else Q()
    money = {
        r["membership__body_id"]: r
        for r in _approved()
        .filter(decided_at__lt=end_x)
        .values("membership__body_id")
        .annotate(
            companies=Count("company_id", distinct=True),
            approved=Sum("approved_amount"),
            approved_window=Sum("approved_amount", filter=window),
        )
        .order_by()
    }
    out = []
    for body in Body.objects.filter(pk__in=list(members)).order_by("sort_order", "code"):
        m, f = members[body.pk], money.get(body.pk, {})
        out.append(
            MinistryRow(
                code=body.code,
                name=body.name_ko,
                designated=int(m["designated"]),
                active=int(m["active"]),
                new_in_window=int(m["new"]),
                removed_in_window=int(m["removed_window"]),
                removed=int(m["removed"]),
                financed_companies=int(f.get("companies") or 0),
                approved_in_window=int(f.get("approved_window") or 0),
                approved=int(f.get("approved") or 0),
            )
        )
    return out
