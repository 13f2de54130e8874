"""Monitoring test data: programme, round, memberships and statement series (bypassing services on purpose)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.registry.models import Body, Company, FinancialStatement
from nic1000.rounds.models import Program, Round
from tests.factories import CompanyFactory, statement_values


def published_round(number: int = 1, published_at: dt.datetime | None = None) -> Round:
    program = Program.objects.first() or Program.objects.create(
        name_ko="혁신기업 국가대표 1000",
        name_en="National Innovation Company 1000",
        starts_on=dt.date(2020, 7, 1),
    )
    rnd, _ = Round.objects.get_or_create(
        program=program,
        number=number,
        defaults={
            "name": f"제{number}차",
            "state": "published",
            "published_at": published_at or timezone.now() - dt.timedelta(days=30),
        },
    )
    return rnd


def member(company: Company | None = None, *, body: str = "MSS", rnd: Round | None = None) -> Membership:
    company = company or CompanyFactory()
    existing = Membership.objects.filter(company=company, status="active").first()
    if existing is not None:  # another app's fixture selected it already
        return existing
    return Membership.objects.create(
        company=company,
        round=rnd or published_round(),
        body=Body.objects.get(code=body),
        selected_on=dt.date(2025, 1, 15),
    )


def statements(company: Company, years: dict[int, dict[str, Any]] | list[int], **common: Any) -> None:
    """One statement per year; `years` maps year -> overrides, or is a list of years with the defaults."""
    items = years.items() if isinstance(years, dict) else ((y, {}) for y in years)
    for year, overrides in items:
        values = statement_values()
        values.update(common)
        values.update(overrides)
        FinancialStatement.objects.create(company=company, fiscal_year=year, **values)


def distressed(scale: int = 1_000_000_000) -> dict[str, int]:
    """Negative equity: liabilities exceed assets, losses."""
    v = statement_values(scale, loss=True)
    v["total_liabilities"] = int(scale * 1.2)
    v["short_term_liabilities"] = int(scale * 0.8)
    v["long_term_liabilities"] = v["total_liabilities"] - v["short_term_liabilities"]
    v["equity"] = scale - v["total_liabilities"]
    v["retained_earnings"] = v["equity"] - v["share_capital"]
    v["net_profit"] = -scale // 5
    v["gross_profit"] = -scale // 5
    return v


def tech_loss(scale: int = 1_000_000_000) -> dict[str, int]:
    """A technology company with low sales, losses and high debt, but cash for years and positive equity
    above share capital."""
    ta = scale
    cash = int(ta * 0.45)
    ca = int(ta * 0.6)
    stl, ltl = int(ta * 0.35), int(ta * 0.53)
    tl = stl + ltl
    eq = ta - tl
    sales = int(ta * 0.05)
    return {
        "cash": cash, "short_term_securities": 0, "receivables": int(ta * 0.02), "inventory": int(ta * 0.01),
        "current_assets": ca, "fixed_assets": ta - ca, "total_assets": ta,
        "short_term_liabilities": stl, "long_term_liabilities": ltl, "total_liabilities": tl,
        "share_capital": eq // 4, "retained_earnings": -eq // 2, "equity": eq,
        "sales": sales, "cost_of_products_sold": int(sales * 0.7), "operating_expenses": int(ta * 0.12),
        "depreciation": int(ta * 0.01), "profit_on_sales": sales - int(ta * 0.12),
        "profit_on_operating_activities": sales - int(ta * 0.12), "financial_expenses": int(ta * 0.01),
        "interest_expense": int(ta * 0.008), "extraordinary_items": 0,
        "gross_profit": sales - int(ta * 0.13), "net_profit": sales - int(ta * 0.13),
    }  # fmt: skip
