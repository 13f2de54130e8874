"""Monitoring levels over time and survey response rates (part of `reports.kpis`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from nic1000.designations.models import Membership
from nic1000.monitoring.models import AlertLevel, DifficultySurvey, InspectionResult, MonthlySurvey
from nic1000.reports.kpis_base import half_end, month_end, today

# How far back the time series of monitoring and surveys reach.
MONITORING_PERIODS = 24
SURVEY_PERIODS = 12


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
