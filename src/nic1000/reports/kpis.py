"""The programme's key figures (issue 14): designations over rounds toward the target, who is designated, policy
finance against the plan, monitoring levels and survey response rates.

Pure reads returning plain dataclasses. Every figure is aggregated in SQL (GROUP BY or conditional COUNT/SUM),
so the number of queries is fixed whatever the number of companies, applications or inspections; the few loops
in Python run over rounds, quarters, months or institutions, never over companies. Figures can be taken "as of"
a date (the quarterly report) or for a window of dates (`start`..`end`, both inclusive, Asia/Seoul days).

The figures live in parts: `kpis_base` (dates, the plan), this module (designations), `kpis_finance` and
`kpis_monitoring`; this module names them all, so callers read `kpis.<figure>`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Max, Min, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from nic1000.core.sectors import sector_label
from nic1000.designations.models import Membership
from nic1000.registry.regions import Region
from nic1000.reports.kpis_base import (
    DEFAULT_TARGET,
    FINANCE_PLAN_KRW,
    FINANCE_PLAN_YEARS,
    Plan,
    day_end_exclusive,
    day_start,
    half_end,
    month_end,
    plan,
    quarter_end,
    quarter_label,
    today,
)
from nic1000.reports.kpis_finance import (
    GROUPS,
    FinancedShare,
    InstitutionFinance,
    MinistryRow,
    ProductFinance,
    QuarterFinance,
    YearFinance,
    by_institution,
    by_ministry_detail,
    by_product,
    finance_by_quarter,
    finance_by_year,
    financed_share,
)
from nic1000.reports.kpis_monitoring import (
    MONITORING_PERIODS,
    SURVEY_PERIODS,
    LevelCounts,
    ResponseRate,
    difficulty_response_rates,
    monitoring_levels,
    monthly_response_rates,
)

# Company age bands (years since founding at the reference date). "Under seven years" is the band the
# programme reports (program-facts: "over 44% were under seven years old").
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 3), (3, 7), (7, 10), (10, None))


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
    """By the sector the designation was made in, named as everywhere else (`core.sectors.sector_label`: the
    programme's fields, a KSIC section by its name)."""
    rows = list(active_at(as_of or today()).values("sector").annotate(n=Count("id")).order_by("-n", "sector"))
    return _shares((r["sector"], sector_label(r["sector"]) or "–", r["n"]) for r in rows)


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


__all__ = [
    "AGE_BANDS",
    "DEFAULT_TARGET",
    "FINANCE_PLAN_KRW",
    "FINANCE_PLAN_YEARS",
    "GROUPS",
    "MONITORING_PERIODS",
    "SURVEY_PERIODS",
    "FinancedShare",
    "InstitutionFinance",
    "LevelCounts",
    "MinistryRow",
    "Plan",
    "ProductFinance",
    "ProgressNow",
    "QuarterFinance",
    "ResponseRate",
    "RoundProgress",
    "Share",
    "YearFinance",
    "active_at",
    "age_band_label",
    "by_age",
    "by_institution",
    "by_ministry",
    "by_ministry_detail",
    "by_product",
    "by_region",
    "by_sector",
    "by_sme",
    "day_end_exclusive",
    "day_start",
    "designation_progress",
    "difficulty_response_rates",
    "finance_by_quarter",
    "finance_by_year",
    "financed_share",
    "half_end",
    "monitoring_levels",
    "month_end",
    "monthly_response_rates",
    "plan",
    "progress_now",
    "quarter_end",
    "quarter_label",
    "today",
]  # fmt: skip
