"""Preferential terms and Center routing as pure functions over plain data (no Django import).

`quote` turns one product's terms and the company's figures into a limit and prices; `route` picks the first
matching Center rule. Services and selectors feed them from the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any


@dataclass(frozen=True)
class ProductTerms:
    code: str
    kind: str
    limit_basis: str  # estimated_sales | export_performance | fixed
    base_limit_ratio: Decimal
    pref_limit_ratio: Decimal
    limit_cap_krw: int | None
    base_rate_pct: Decimal | None
    pref_rate_cut_pp: Decimal
    base_guarantee_ratio_pct: Decimal | None
    pref_guarantee_ratio_pct: Decimal | None
    base_fee_pct: Decimal | None
    pref_fee_cut_pp: Decimal
    max_maturity_months: int
    eligibility: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompanyFigures:
    estimated_sales: int | None
    export_performance: int | None
    technology_company: bool
    selected: bool = True


@dataclass(frozen=True)
class Quote:
    code: str
    eligible: bool
    reasons: tuple[str, ...]
    basis_krw: int | None
    base_limit_krw: int
    limit_krw: int
    base_rate_pct: Decimal | None
    rate_pct: Decimal | None
    base_guarantee_ratio_pct: Decimal | None
    guarantee_ratio_pct: Decimal | None
    base_fee_pct: Decimal | None
    fee_pct: Decimal | None
    max_maturity_months: int


def _share(amount: int, ratio: Decimal) -> int:
    return int((Decimal(amount) * ratio).quantize(Decimal(1), rounding=ROUND_DOWN))


def _capped(amount: int, cap: int | None) -> int:
    return min(amount, cap) if cap is not None else amount


def quote(terms: ProductTerms, figures: CompanyFigures) -> Quote:
    """The limit and prices one product gives one company (preferential when selected)."""
    reasons: list[str] = []
    if not figures.selected:
        reasons.append("not_selected")
    if terms.eligibility.get("requires_export") and not (figures.export_performance or 0) > 0:
        reasons.append("no_export_performance")
    if terms.eligibility.get("requires_technology") and not figures.technology_company:
        reasons.append("not_a_technology_company")
    if terms.limit_basis == "estimated_sales":
        basis = figures.estimated_sales
    elif terms.limit_basis == "export_performance":
        basis = figures.export_performance
    else:
        basis = None
    if terms.limit_basis == "fixed":
        base_limit = pref_limit = terms.limit_cap_krw or 0
    elif basis is None or basis <= 0:
        if "no_export_performance" not in reasons:
            reasons.append("no_basis_figure")
        base_limit = pref_limit = 0
    else:
        base_limit = _capped(_share(basis, terms.base_limit_ratio), terms.limit_cap_krw)
        pref_limit = _capped(_share(basis, terms.pref_limit_ratio), terms.limit_cap_krw)
    preferential = figures.selected
    rate = (
        max(Decimal("0"), terms.base_rate_pct - (terms.pref_rate_cut_pp if preferential else Decimal(0)))
        if terms.base_rate_pct is not None
        else None
    )
    fee = (
        max(Decimal("0"), terms.base_fee_pct - (terms.pref_fee_cut_pp if preferential else Decimal(0)))
        if terms.base_fee_pct is not None
        else None
    )
    ratio = terms.pref_guarantee_ratio_pct if preferential else terms.base_guarantee_ratio_pct
    eligible = not reasons
    return Quote(
        code=terms.code,
        eligible=eligible,
        reasons=tuple(reasons),
        basis_krw=basis,
        base_limit_krw=base_limit,
        limit_krw=(pref_limit if preferential else base_limit) if eligible else 0,
        base_rate_pct=terms.base_rate_pct,
        rate_pct=rate,
        base_guarantee_ratio_pct=terms.base_guarantee_ratio_pct,
        guarantee_ratio_pct=ratio,
        base_fee_pct=terms.base_fee_pct,
        fee_pct=fee,
        max_maturity_months=terms.max_maturity_months,
    )


@dataclass(frozen=True)
class Rule:
    priority: int
    purpose: str  # "" = any
    technology_company: bool | None
    min_amount_krw: int | None
    max_amount_krw: int | None
    product_code: str
    reason: str


def route(rules: list[Rule], *, purpose: str, amount: int, technology_company: bool) -> Rule | None:
    """The first rule (by priority) whose conditions all hold."""
    for rule in sorted(rules, key=lambda r: r.priority):
        if rule.purpose and rule.purpose != purpose:
            continue
        if rule.technology_company is not None and rule.technology_company != technology_company:
            continue
        if rule.min_amount_krw is not None and amount < rule.min_amount_krw:
            continue
        if rule.max_amount_krw is not None and amount > rule.max_amount_krw:
            continue
        return rule
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter): a maturity date."""
    month0 = day.month - 1 + int(months)
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
