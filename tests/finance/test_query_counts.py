"""Every finance list (pages and API) runs as many queries for many rows as for few."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nic1000.core.models import StateChange
from nic1000.finance.models import ApplicationDocument, Disbursement, Product, Repayment
from tests.factories import CompanyFactory
from tests.finance.factories import make_application, make_token, select

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str, **headers: str) -> int:
    assert client.get(url, headers=headers).status_code == 200  # the first request sets up the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200
    return len(ctx.captured_queries)


def _same_for_more_rows(client: Client, url: str, add_rows: Callable[[int], object], **headers: str) -> None:
    add_rows(2)
    few = _count(client, url, **headers)
    add_rows(4)
    assert _count(client, url, **headers) == few


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _applications(n: int, *, company: Any = None, **kw: Any) -> None:
    """n applications in different states, each with a state change and some money moved."""
    for i in range(n):
        app = make_application(
            company or CompanyFactory(),
            code=("KDB-OPER", "IBK-OPER")[i % 2],
            state="disbursing",
            approved_amount=1_000_000_000,
            disbursed_total=500_000_000,
            repaid_total=100_000_000,
            decided_at=timezone.now(),
            **kw,
        )
        StateChange.objects.create(
            workflow="finance_application",
            object_type="finance.application",
            object_id=str(app.pk),
            transition="approve",
            from_state="submitted",
            to_state="approved",
            at=timezone.now(),
        )


def _extra_products(n: int) -> None:
    template = Product.objects.get(code="KDB-OPER")
    start = Product.objects.count()
    for i in range(n):
        template.pk = None
        template.code = f"KDB-EXTRA-{start + i}"
        template.save()


@pytest.mark.parametrize("role", ["program_office", "institution_kdb", "company_a"])
def test_application_list(personas: Any, products: None, role: str) -> None:
    company = personas.company_a_obj if role == "company_a" else None
    _same_for_more_rows(
        _login(getattr(personas, role)),
        "/finance/applications/",
        lambda n: _applications(n, company=company),
    )


def test_dashboard(personas: Any, products: None) -> None:
    _same_for_more_rows(_login(personas.program_office), "/finance/dashboard/", _applications)


def test_excel_export(personas: Any, products: None) -> None:
    _same_for_more_rows(_login(personas.auditor), "/finance/dashboard/export.xlsx", _applications)


def test_company_exposure(personas: Any, products: None) -> None:
    company = personas.company_a_obj
    _same_for_more_rows(
        _login(personas.support),
        f"/finance/exposure/{company.pk}/",
        lambda n: _applications(n, company=company),
    )


def test_tokens(personas: Any, products: None) -> None:
    _same_for_more_rows(
        _login(personas.program_office), "/finance/tokens/", lambda n: [make_token("KDB") for _ in range(n)]
    )


def test_products(personas: Any, products: None) -> None:
    _same_for_more_rows(Client(), "/finance/products/", _extra_products)


@pytest.mark.parametrize("url", ["/finance/terms/", "/finance/apply/"])
def test_terms_and_apply(personas: Any, products: None, url: str) -> None:
    select(personas.company_a_obj, sales=10_000_000_000)
    c = _login(personas.company_a)

    def more(n: int) -> None:
        _extra_products(n)
        _applications(n, company=personas.company_a_obj)

    _same_for_more_rows(c, url, more)


def test_application_detail(personas: Any, products: None) -> None:
    app = make_application(
        personas.company_a_obj, state="disbursing", approved_amount=10**10, disbursed_total=10**9
    )

    def money_and_history(n: int) -> None:
        for i in range(n):
            Disbursement.objects.create(
                application=app, amount=10**6, on=dt.date(2025, 1, 1), created_by=personas.institution_kdb,
                created_at=timezone.now(),
            )  # fmt: skip
            Repayment.objects.create(
                application=app, amount=10**5, on=dt.date(2025, 2, 1), created_by=personas.institution_kdb,
                created_at=timezone.now(),
            )  # fmt: skip
            StateChange.objects.create(
                workflow="finance_application", object_type="finance.application", object_id=str(app.pk),
                transition="request_info" if i % 2 else "reply", from_state="under_review",
                to_state="info_requested", at=timezone.now(), actor=personas.institution_kdb,
            )  # fmt: skip
            ApplicationDocument.objects.create(
                application=app, name=f"d{i}.pdf", kind="pdf", content_type="application/pdf", size=10,
                sha256="0" * 64, stored_as=f"{app.pk}/{ApplicationDocument.objects.count()}.pdf",
                uploaded_by=personas.company_a, uploaded_at=timezone.now(),
            )  # fmt: skip

    _same_for_more_rows(
        _login(personas.institution_kdb), f"/finance/applications/{app.pk}/", money_and_history
    )


def test_api_lists(personas: Any, products: None) -> None:
    _token, secret = make_token("KDB")
    auth = {"Authorization": f"Bearer {secret}"}
    c = Client()
    # Each request also counts against the token's rate window: the same few writes each time.
    _same_for_more_rows(c, "/api/v1/finance/applications", lambda n: _applications(n), **auth)
    _same_for_more_rows(
        c,
        "/api/v1/finance/selected-companies",
        lambda n: [select(CompanyFactory()) for _ in range(n)],
        **auth,
    )
