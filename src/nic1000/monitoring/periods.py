"""Monitoring's periods: inspections by month (YYYY-MM), difficulty surveys by half-year (2026H1)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.monitoring import rules as rules_mod


def period_of(when: dt.datetime | None = None) -> str:
    now = timezone.localtime(when or timezone.now())
    return f"{now.year:04d}-{now.month:02d}"


def half_of(day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def period_validate(period: str) -> tuple[int, int]:
    """(year, month) of a YYYY-MM period; anything else is refused (code bad_period)."""
    try:
        year, month = (int(x) for x in period.split("-"))
        dt.date(year, month, 1)
        if len(period) != 7:
            raise ValueError(period)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            _("The period must look like YYYY-MM, got %(period)s.") % {"period": repr(period)},
            [ErrorDetail(message=_("Enter the period as YYYY-MM."), field="period", value=period)],
            code="bad_period",
        ) from exc
    return year, month


def due_fiscal_year(period: str, cfg: rules_mod.RuleConfig | None = None) -> int:
    """The last fiscal year whose statements are due in or by this period's month: what companies are asked for
    and reminded of (from the due month on, before a missing year counts)."""
    cfg = cfg or rules_mod.current_config()
    year, month = period_validate(period)
    return year - 1 if month >= cfg.statement_due_month else year - 2


def expected_fiscal_year(period: str, cfg: rules_mod.RuleConfig | None = None) -> int:
    """The last fiscal year whose missing statements are a signal: its due month and the grace months after it
    have passed. Until then a company is judged on the statements it has (an inspection in April must not
    warn every company whose statements are due at the end of April)."""
    cfg = cfg or rules_mod.current_config()
    year, month = period_validate(period)
    return year - 1 if month > cfg.statement_due_month + cfg.statement_grace_months else year - 2
