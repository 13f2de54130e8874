"""Dates and the plan the programme's figures are measured against (`reports.kpis` and its parts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from nic1000.core.money import JO
from nic1000.rounds.models import Program

# The plan of policy finance for designated companies: KRW 40 trillion over three years (FSC guideline of
# May 2021; /work/shared/guide/program-facts.md, "What selected companies get": "Scale: a plan of KRW 40 trillion
# over three years"). Counted from the programme's start (`Program.starts_on`), spread evenly over the months.
FINANCE_PLAN_KRW = 40 * JO
FINANCE_PLAN_YEARS = 3
# The programme's target when no programme row exists yet (`Program.target_companies` otherwise).
DEFAULT_TARGET = 1000


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
