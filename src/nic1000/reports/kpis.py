"""The programme's key figures (issue 14): designations over rounds toward the target, who is designated, policy
finance against the plan, monitoring levels and survey response rates.

Pure reads returning plain dataclasses. Every figure is aggregated in SQL (GROUP BY or conditional COUNT/SUM),
so the number of queries is fixed whatever the number of companies, applications or inspections; the few loops
in Python run over rounds, quarters, months or institutions, never over companies. Figures can be taken "as of"
a date (the quarterly report) or for a window of dates (`start`..`end`, both inclusive, Asia/Seoul days).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.money import JO
from nic1000.designations.models import Membership
from nic1000.finance.models import REPORT_GROUP, Application, Disbursement, Purpose, Repayment
from nic1000.finance.workflows import APPROVED_STATES
from nic1000.monitoring.models import AlertLevel, DifficultySurvey, InspectionResult, MonthlySurvey
from nic1000.registry.models import Body, Institution, KsicCode
from nic1000.registry.regions import Region
from nic1000.rounds.models import Program

# The plan of policy finance for designated companies: KRW 40 trillion over three years (FSC guideline of
# May 2021; /work/shared/guide/program-facts.md, "What selected companies get": "Scale: a plan of KRW 40 trillion
# over three years"). Counted from the programme's start (`Program.starts_on`), spread evenly over the months.
FINANCE_PLAN_KRW = 40 * JO
FINANCE_PLAN_YEARS = 3
# The programme's target when no programme row exists yet (`Program.target_companies` otherwise).
DEFAULT_TARGET = 1000
# Company age bands (years since founding at the reference date). "Under seven years" is the band the
# programme reports (program-facts: "over 44% were under seven years old").
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 3), (3, 7), (7, 10), (10, None))
# How far back the time series of monitoring and surveys reach.
MONITORING_PERIODS = 24
SURVEY_PERIODS = 12

GROUPS = ("loans", "guarantees", "investment")


# ---------------------------------------------------------------- dates


def today() -> dt.date:
    return timezone.localdate()


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a day in the programme's time zone (Asia/Seoul), aware."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def day_end_exclusive(day: dt.date) -> dt.datetime:
    return day_start(day + dt.timedelta(days=1))


def month_end(period: str) -> dt.date:
    """'2026-03' → 2026-03-31."""
    year, month = int(period[:4]), int(period[5:7])
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def half_end(half: str) -> dt.date:
    """'2026H1' → 2026-06-30, '2026H2' → 2026-12-31."""
    year = int(half[:4])
    return dt.date(year, 6, 30) if half.endswith("1") else dt.date(year, 12, 31)


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(day: dt.date) -> dt.date:
    q = (day.month - 1) // 3
    return month_end(f"{day.year}-{q * 3 + 3:02d}")


# ---------------------------------------------------------------- the programme


@dataclass(frozen=True)
class Plan:
    target: int
    starts_on: dt.date | None
    finance_plan_krw: int = FINANCE_PLAN_KRW
    finance_plan_years: int = FINANCE_PLAN_YEARS

    def plan_to(self, day: dt.date) -> int:
        """The share of the finance plan due by the end of `day` (even over the plan's months)."""
        if self.starts_on is None or day < self.starts_on:
            return 0
        months = (day.year - self.starts_on.year) * 12 + day.month - self.starts_on.month + 1
        total_months = self.finance_plan_years * 12
        return self.finance_plan_krw * min(months, total_months) // total_months


def plan() -> Plan:
    program = Program.objects.order_by("starts_on", "id").values("target_companies", "starts_on").first()
    if program is None:
        return Plan(target=DEFAULT_TARGET, starts_on=None)
    return Plan(target=int(program["target_companies"]), starts_on=program["starts_on"])


# ---------------------------------------------------------------- designations over rounds


@dataclass(frozen=True)
class RoundProgress:
    """One published round: who it designated, the places freed since the round before and refilled by it,
    and the designations active right after it (toward the target)."""

    number: int
    name: str
    published_on: dt.date
    selected: int
    removed_before: int  # removed since the round before (removal at a re-evaluation)
    ended_before: int  # designation periods ended since the round before
    refilled: int  # freed places this round filled again
    new_places: int  # selected beyond the refilled places
    designated_total: int  # selected in this round and every round before
    active_after: int
    target: int

    @property
    def target_share(self) -> float:
        return self.active_after / self.target if self.target else 0.0


@dataclass(frozen=True)
class ProgressNow:
    active: int
    designated_total: int
    removed_total: int
    ended_total: int
    open_vacancies: int  # freed since the last round, to refill in the next one
    target: int

    @property
    def to_target(self) -> int:
        return max(self.target - self.active, 0)

    @property
    def target_share(self) -> float:
        return self.active / self.target if self.target else 0.0

    @property
    def target_share_text(self) -> str:
        return f"{self.target_share * 100:.1f}%"


def _rounds_designated(as_of: dt.date) -> list[dict[str, object]]:
    return list(
        Membership.objects.filter(selected_on__lte=as_of)
        .values("round_id", "round__number", "round__name")
        .annotate(selected=Count("id"), published_on=Min("selected_on"))
        .order_by("round__number")
    )


def designation_progress(*, as_of: dt.date | None = None) -> list[RoundProgress]:
    """Each round with designations, in order (two queries whatever the number of companies)."""
    as_of = as_of or today()
    target = plan().target
    rounds = _rounds_designated(as_of)
    if not rounds:
        return []
    dates = [r["published_on"] for r in rounds]
    # Removals and ended periods up to each round's publication day, one conditional count per round.
    aggregates = {}
    for i, day in enumerate(dates):
        assert isinstance(day, dt.date)
        aggregates[f"removed_{i}"] = Count(
            "id", filter=Q(status=Membership.Status.REMOVED, ended_on__lte=day)
        )
        aggregates[f"ended_{i}"] = Count("id", filter=Q(status=Membership.Status.ENDED, ended_on__lte=day))
    ended = Membership.objects.filter(ended_on__isnull=False).aggregate(**aggregates)
    out: list[RoundProgress] = []
    total = open_vacancies = removed_prev = ended_prev = 0
    for i, r in enumerate(rounds):
        selected = int(r["selected"])  # type: ignore[call-overload]
        removed_by, ended_by = int(ended[f"removed_{i}"] or 0), int(ended[f"ended_{i}"] or 0)
        removed_before, ended_before = removed_by - removed_prev, ended_by - ended_prev
        open_vacancies += removed_before + ended_before
        refilled = min(open_vacancies, selected)
        open_vacancies -= refilled
        total += selected
        out.append(
            RoundProgress(
                number=int(r["round__number"]),  # type: ignore[call-overload]
                name=str(r["round__name"]),
                published_on=dates[i],  # type: ignore[arg-type]
                selected=selected,
                removed_before=removed_before,
                ended_before=ended_before,
                refilled=refilled,
                new_places=selected - refilled,
                designated_total=total,
                active_after=total - removed_by - ended_by,
                target=target,
            )
        )
        removed_prev, ended_prev = removed_by, ended_by
    return out


def progress_now(*, as_of: dt.date | None = None) -> ProgressNow:
    """Designations active at the end of `as_of`, and places freed since the last round (one query)."""
    as_of = as_of or today()
    last_round = Membership.objects.filter(selected_on__lte=as_of).aggregate(m=Max("selected_on"))["m"]
    since = last_round or dt.date.min
    agg = Membership.objects.filter(selected_on__lte=as_of).aggregate(
        designated=Count("id"),
        removed=Count("id", filter=Q(status=Membership.Status.REMOVED, ended_on__lte=as_of)),
        ended=Count("id", filter=Q(status=Membership.Status.ENDED, ended_on__lte=as_of)),
        vacancies=Count("id", filter=Q(ended_on__gt=since, ended_on__lte=as_of)),
    )
    designated, removed, ended = int(agg["designated"]), int(agg["removed"]), int(agg["ended"])
    return ProgressNow(
        active=designated - removed - ended,
        designated_total=designated,
        removed_total=removed,
        ended_total=ended,
        open_vacancies=int(agg["vacancies"]),
        target=plan().target,
    )


# ---------------------------------------------------------------- who is designated


@dataclass(frozen=True)
class Share:
    """One group of active designations: a key (code), its label and its count."""

    key: str
    label: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


def active_at(as_of: dt.date) -> QuerySet[Membership]:
    """Designations active at the end of `as_of` (selected by then, not ended by then)."""
    return Membership.objects.filter(selected_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )


def _shares(rows: Iterable[tuple[str, str, int]]) -> list[Share]:
    rows = list(rows)
    total = sum(n for _k, _l, n in rows)
    return [Share(key=k, label=label, count=n, total=total) for k, label, n in rows]


def by_ministry(*, as_of: dt.date | None = None) -> list[Share]:
    rows = (
        active_at(as_of or today())
        .values("body__code", "body__name_ko", "body__sort_order")
        .annotate(n=Count("id"))
        .order_by("body__sort_order", "body__code")
    )
    return _shares((r["body__code"], r["body__name_ko"], r["n"]) for r in rows)


def by_sector(*, as_of: dt.date | None = None) -> list[Share]:
    """By the sector the designation was made in; a KSIC section letter is shown with its name."""
    rows = list(active_at(as_of or today()).values("sector").annotate(n=Count("id")).order_by("-n", "sector"))
    keys = [r["sector"] for r in rows if r["sector"]]
    names = dict(KsicCode.objects.filter(level=1, code__in=keys).values_list("code", "name"))
    return _shares(
        (r["sector"], f"{r['sector']} {names[r['sector']]}" if r["sector"] in names else r["sector"], r["n"])
        for r in rows
    )


def by_region(*, as_of: dt.date | None = None) -> list[Share]:
    rows = (
        active_at(as_of or today())
        .values("company__region")
        .annotate(n=Count("id"))
        .order_by("-n", "company__region")
    )
    labels = dict(Region.choices)
    return _shares(
        (r["company__region"], str(labels.get(r["company__region"], r["company__region"])), r["n"])
        for r in rows
    )


def by_sme(*, as_of: dt.date | None = None) -> list[Share]:
    agg = active_at(as_of or today()).aggregate(
        sme=Count("id", filter=Q(company__is_sme=True)), other=Count("id", filter=Q(company__is_sme=False))
    )
    return _shares([("sme", _("SME"), int(agg["sme"])), ("other", _("Not an SME"), int(agg["other"]))])


def age_band_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)d years or more") % {"low": low}
    if low == 0:
        return _("Under %(high)d years") % {"high": high}
    return _("%(low)d to under %(high)d years") % {"low": low, "high": high}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def by_age(*, as_of: dt.date | None = None) -> list[Share]:
    """By the company's age at `as_of` (years since founding), in the bands of AGE_BANDS."""
    as_of = as_of or today()
    whens = []
    for low, high in AGE_BANDS:
        cond = Q(company__founded_on__lte=_years_before(as_of, low))
        if high is not None:
            cond &= Q(company__founded_on__gt=_years_before(as_of, high))
        whens.append(When(cond, then=Value(str(low))))
    rows = dict(
        active_at(as_of)
        .annotate(band=Case(*whens, default=Value("0"), output_field=CharField()))
        .values_list("band")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _shares(
        (str(low), age_band_label(low, high), int(rows.get(str(low), 0))) for low, high in AGE_BANDS
    )


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


def finance_by_quarter(*, as_of: dt.date | None = None) -> list[QuarterFinance]:
    """Approved (by decision date) and disbursed (by payment date) KRW per quarter, from the first quarter
    with money up to the quarter of `as_of`, with the cumulative approved amount against the plan (2 queries)."""
    as_of = as_of or today()
    approved = (
        _approved()
        .filter(decided_at__lt=day_end_exclusive(as_of))
        .annotate(q=TruncQuarter("decided_at"))
        .values("q", "product__kind")
        .annotate(cases=Count("id"), amount=Sum("approved_amount"))
        .order_by("q")
    )
    disbursed = (
        Disbursement.objects.filter(on__lte=as_of)
        .annotate(q=TruncQuarter("on"))
        .values("q")
        .annotate(amount=Sum("amount"))
        .order_by("q")
    )
    quarters: dict[str, QuarterFinance] = {}

    def row(day: dt.date | dt.datetime) -> QuarterFinance:
        d = timezone.localtime(day).date() if isinstance(day, dt.datetime) else day
        key = quarter_label(d)
        if key not in quarters:
            quarters[key] = QuarterFinance(quarter=key, ends_on=quarter_end(d))
        return quarters[key]

    for r in approved:
        q = row(r["q"])
        amount = int(r["amount"] or 0)
        q.cases += int(r["cases"])
        q.approved += amount
        q.by_group[REPORT_GROUP[Purpose(r["product__kind"])]] += amount
    for r in disbursed:
        row(r["q"]).disbursed += int(r["amount"] or 0)
    if not quarters:
        return []
    # Every quarter between the first and the last, with money or not.
    first = min(q.ends_on for q in quarters.values())
    day = first
    while day <= quarter_end(as_of):
        row(day)
        day = quarter_end(day + dt.timedelta(days=1))
    the_plan = plan()
    out = sorted(quarters.values(), key=lambda q: q.ends_on)
    running = 0
    for q in out:
        running += q.approved
        q.cumulative_approved = running
        q.plan_to_date = the_plan.plan_to(min(q.ends_on, as_of))
    return out


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


# ---------------------------------------------------------------- monitoring and surveys


@dataclass(frozen=True)
class LevelCounts:
    period: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def monitoring_levels(
    *, start: dt.date | None = None, end: dt.date | None = None, limit: int = MONITORING_PERIODS
) -> list[LevelCounts]:
    """Companies at each alert level per inspected month, the last `limit` months up to `end` (one query)."""
    end = end or today()
    qs = InspectionResult.objects.filter(period__lte=f"{end:%Y-%m}")
    if start:
        qs = qs.filter(period__gte=f"{start:%Y-%m}")
    periods = list(qs.values_list("period", flat=True).distinct().order_by("-period")[:limit])
    if not periods:
        return []
    rows = (
        qs.filter(period__gte=min(periods)).values_list("period", "level").annotate(n=Count("id")).order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AlertLevel.values, 0))
    for period, level, n in rows:
        counts[period][level] = int(n)
    return [LevelCounts(period=p, counts=counts[p]) for p in sorted(periods)]


@dataclass(frozen=True)
class ResponseRate:
    period: str  # 2026-03 (monthly) or 2026H1 (six-monthly)
    expected: int  # designations active at the end of the period
    responded: int

    @property
    def rate(self) -> float:
        return self.responded / self.expected if self.expected else 0.0


def _rates(responses: dict[str, int], ends: dict[str, dt.date]) -> list[ResponseRate]:
    """The expected answers of each period: designations active at its end (one query for all periods)."""
    if not ends:
        return []
    agg = Membership.objects.aggregate(
        **{
            f"p{i}": Count(
                "id", filter=Q(selected_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
            )
            for i, day in enumerate(ends.values())
        }
    )
    return [
        ResponseRate(period=p, expected=int(agg[f"p{i}"] or 0), responded=responses.get(p, 0))
        for i, p in enumerate(ends)
    ]


def monthly_response_rates(
    *, start: dt.date | None = None, end: dt.date | None = None, limit: int = SURVEY_PERIODS
) -> list[ResponseRate]:
    """The monthly survey's answers per month against the designations active at its end (two queries)."""
    end = end or today()
    qs = MonthlySurvey.objects.filter(period__lte=f"{end:%Y-%m}")
    if start:
        qs = qs.filter(period__gte=f"{start:%Y-%m}")
    rows = list(qs.values_list("period").annotate(n=Count("id")).order_by("-period")[:limit])
    responses = {str(p): int(n) for p, n in rows}
    return _rates(responses, {p: month_end(p) for p in sorted(responses)})


def difficulty_response_rates(
    *, start: dt.date | None = None, end: dt.date | None = None, limit: int = SURVEY_PERIODS
) -> list[ResponseRate]:
    """The six-monthly survey's answers per half-year (two queries)."""
    end = end or today()
    last = f"{end.year}H{1 if end.month <= 6 else 2}"
    qs = DifficultySurvey.objects.filter(half__lte=last)
    if start:
        qs = qs.filter(half__gte=f"{start.year}H{1 if start.month <= 6 else 2}")
    rows = list(qs.values_list("half").annotate(n=Count("id")).order_by("-half")[:limit])
    responses = {str(h): int(n) for h, n in rows}
    return _rates(responses, {h: half_end(h) for h in sorted(responses)})
