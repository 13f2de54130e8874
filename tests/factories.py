"""Factories in one place. Objects made here bypass services on purpose: tests of services call services."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from nic1000.accounts.models import User
from nic1000.core.identifiers import brn_make
from nic1000.core.roles import Role
from nic1000.registry.models import (
    Body,
    Company,
    CoreTechnology,
    FinancialStatement,
    Institution,
    KsicCode,
    Patent,
)

PASSWORD = "correct-horse-battery-staple"
_HASHED = make_password(PASSWORD)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name_ko = factory.Sequence(lambda n: f"테스트기업{n}")
    name_en = factory.Sequence(lambda n: f"Test Company {n}")
    # The serial (digits 6-9) is never 0000: that is not a valid registration number.
    brn = factory.Sequence(lambda n: brn_make(f"{101 + n % 800:03d}81{n % 9999 + 1:04d}"))
    ksic = factory.LazyFunction(lambda: KsicCode.objects.get(code="26112"))
    ksic_section = factory.LazyAttribute(lambda o: o.ksic.section)
    region = "11"
    founded_on = dt.date(2015, 3, 1)
    employees = 40
    is_sme = True


class PatentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patent

    company = factory.SubFactory(CompanyFactory)
    application_number = factory.Sequence(lambda n: f"10-2020-{n:07d}")
    title = "저전력 반도체 설계 방법"
    filed_on = dt.date(2020, 1, 10)
    status = Patent.Status.REGISTERED
    granted_on = dt.date(2021, 6, 1)
    claims = 12


class CoreTechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreTechnology

    company = factory.SubFactory(CompanyFactory)
    name = "AI 반도체"
    trl = 6


def statement_values(scale: int = 1_000_000_000, *, loss: bool = False) -> dict[str, int]:
    """A balanced, internally consistent statement (scale = total assets)."""
    ta = scale
    cash, sec, rec, inv = ta // 10, ta // 20, ta // 8, ta // 10
    ca = cash + sec + rec + inv + ta // 20
    fa = ta - ca
    stl, ltl = ta // 4, ta // 5
    tl = stl + ltl
    eq = ta - tl
    sales = int(ta * 0.9)
    cogs = int(sales * 0.6)
    opex = int(sales * (1.05 if loss else 0.9))
    dep = ta // 50
    pos = sales - opex
    poa = pos + ta // 200
    fin, interest = ta // 100, ta // 120
    gp = poa - fin
    return {
        "cash": cash, "short_term_securities": sec, "receivables": rec, "inventory": inv,
        "current_assets": ca, "fixed_assets": fa, "total_assets": ta,
        "short_term_liabilities": stl, "long_term_liabilities": ltl, "total_liabilities": tl,
        "share_capital": eq // 2, "retained_earnings": eq - eq // 2, "equity": eq,
        "sales": sales, "cost_of_products_sold": cogs, "operating_expenses": opex, "depreciation": dep,
        "profit_on_sales": pos, "profit_on_operating_activities": poa, "financial_expenses": fin,
        "interest_expense": interest, "extraordinary_items": 0, "gross_profit": gp, "net_profit": int(gp * 0.8),
    }  # fmt: skip


class FinancialStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialStatement

    company = factory.SubFactory(CompanyFactory)
    fiscal_year = 2024

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        values = statement_values()
        values.update(kwargs)
        return super()._create(model_class, *args, **values)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = _HASHED
    role = Role.PROGRAM_OFFICE


def body(code: str) -> Body:
    return Body.objects.get(code=code)


def institution(code: str) -> Institution:
    return Institution.objects.get(code=code)
