"""Finance test objects. Memberships and applications are made here directly (the rounds app's publication
is another helper's); tests of finance services call the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from nic1000.designations.models import Membership
from nic1000.finance.models import ApiToken, Application, Product, RoutingRule
from nic1000.finance.reference import load_products
from nic1000.registry.models import Company, Institution
from nic1000.rounds.models import Program, Round
from tests.factories import FinancialStatementFactory, body


def ensure_products() -> None:
    """Products and routing rules (loaded by migration; reloaded after a flush)."""
    if not Product.objects.exists() or not RoutingRule.objects.exists():
        load_products(Institution, Product, RoutingRule)


def published_round(number: int = 3) -> Round:
    program = Program.objects.first() or Program.objects.create(
        name_ko="혁신기업 국가대표 1000",
        name_en="National Innovation Company 1000",
        starts_on=dt.date(2020, 7, 1),
    )
    rnd, _ = Round.objects.get_or_create(
        program=program,
        number=number,
        defaults={"name": f"{number}차", "state": "published", "published_at": timezone.now()},
    )
    return rnd


def select(company: Company, *, sales: int | None = 9_000_000_000, body_code: str = "MSS") -> Membership:
    """Make the company a selected, active member with a statement (sales = last year's sales)."""
    if sales is not None and not company.statements.exists():
        FinancialStatementFactory(company=company, fiscal_year=2024, sales=sales)
    existing = Membership.objects.filter(company=company, status="active").first()
    if existing:
        return existing
    return Membership.objects.create(
        company=company,
        round=published_round(),
        body=body(body_code),
        sector="system_semiconductors",
        selected_on=dt.date(2021, 5, 20),
    )


def product(code: str) -> Product:
    ensure_products()
    return Product.objects.get(code=code)


def make_application(
    company: Company,
    *,
    code: str = "KDB-OPER",
    amount: int = 1_000_000_000,
    state: str = "submitted",
    **kw: Any,
) -> Application:
    """An application row made directly (for access tests); services make real ones."""
    p = product(code)
    m = select(company)
    now = timezone.now()
    return Application.objects.create(
        company=company,
        membership=m,
        channel=kw.pop("channel", "direct"),
        product=p,
        institution=p.institution,
        purpose=p.kind,
        amount_requested=amount,
        limit_krw=kw.pop("limit_krw", 5_000_000_000),
        state=state,
        created_at=now,
        updated_at=now,
        **kw,
    )


def make_token(institution_code: str = "KDB") -> tuple[ApiToken, str]:
    from nic1000.finance.selectors import token_hash

    secret = f"nic_test_{institution_code}_{ApiToken.objects.count()}"
    token = ApiToken.objects.create(
        institution=Institution.objects.get(code=institution_code),
        name=f"{institution_code} core banking",
        prefix=secret[:12],
        token_hash=token_hash(secret),
        created_at=timezone.now(),
    )
    return token, secret
