"""The institution officer's own book: its approved applications only, money out and back, what is due."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import CompanyFactory
from tests.finance.factories import make_application

pytestmark = pytest.mark.django_db
EOK = 100_000_000


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _book(personas: Any) -> dict[str, Any]:
    today = timezone.localdate()
    a = personas.company_a_obj
    return {
        "due_soon": make_application(
            a,
            code="KDB-OPER",
            state="disbursing",
            approved_amount=20 * EOK,
            disbursed_total=18 * EOK,
            repaid_total=3 * EOK,
            maturity_on=today + dt.timedelta(days=5),
        ),
        "overdue": make_application(
            a,
            code="KDB-OPER",
            state="completed",
            approved_amount=10 * EOK,
            disbursed_total=10 * EOK,
            repaid_total=4 * EOK,
            maturity_on=today - dt.timedelta(days=3),
        ),
        "approved_only": make_application(a, code="KDB-OPER", state="approved", approved_amount=5 * EOK),
        "open": make_application(a, code="KDB-OPER", state="under_review"),
        "ibk": make_application(
            personas.company_b_obj,
            code="IBK-OPER",
            state="disbursing",
            approved_amount=7 * EOK,
            disbursed_total=7 * EOK,
            maturity_on=today + dt.timedelta(days=2),
        ),
    }


def test_book_shows_own_institution_with_totals(personas: Any, products: None) -> None:
    rows = _book(personas)
    r = _login(personas.institution_kdb).get("/finance/book/")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('data-testid="book-row"') == 3  # approved states only, KDB's only
    assert str(rows["ibk"]) not in html and str(rows["open"]) not in html
    assert 'data-testid="total-approved">35.0억원' in html
    assert 'data-testid="total-disbursed">28.0억원' in html
    assert 'data-testid="total-repaid">7.0억원' in html
    assert 'data-testid="total-outstanding">21.0억원' in html
    assert 'data-testid="total-due">21.0억원' in html  # 15 due in 5 days + 6 overdue
    assert html.count('data-testid="overdue"') == 1


def test_another_institution_sees_only_its_own(personas: Any, products: None) -> None:
    rows = _book(personas)
    html = _login(personas.institution_ibk).get("/finance/book/").content.decode()
    assert html.count('data-testid="book-row"') == 1 and str(rows["ibk"]) in html
    assert str(rows["due_soon"]) not in html
    assert 'data-testid="total-approved">7.0억원' in html
    # No query string reaches another institution's rows: the KDB product filter is not a valid choice here.
    kdb_product = rows["due_soon"].product_id
    html = _login(personas.institution_ibk).get(f"/finance/book/?product={kdb_product}").content.decode()
    assert str(rows["due_soon"]) not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due=7", {"due_soon", "overdue"}),
        ("due=overdue", {"overdue"}),
        ("due=outstanding", {"due_soon", "overdue"}),
        ("state=approved", {"approved_only"}),
        ("q=에이", {"due_soon", "overdue", "approved_only"}),
        ("q=없는회사", set()),
    ],
)
def test_filters(personas: Any, products: None, query: str, expected: set[str]) -> None:
    rows = _book(personas)
    html = _login(personas.institution_kdb).get(f"/finance/book/?{query}").content.decode()
    shown = {k for k, app in rows.items() if f">{app}<" in html}
    assert shown == expected


def test_excel_export_has_every_filtered_row_in_full(personas: Any, products: None) -> None:
    rows = _book(personas)
    r = _login(personas.institution_kdb).get("/finance/book/?format=xlsx&due=7")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    data = list(ws.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in data} == {str(rows["due_soon"]), str(rows["overdue"])}
    due = next(row for row in data if row[0] == str(rows["due_soon"]))
    assert due[5] == 20 * EOK and due[11] == 15 * EOK  # approved and outstanding in whole KRW


def test_query_count_does_not_grow_with_rows(personas: Any, products: None) -> None:
    c = _login(personas.institution_kdb)

    def add(n: int) -> None:
        for _ in range(n):
            make_application(
                CompanyFactory(),
                code="KDB-OPER",
                state="disbursing",
                approved_amount=EOK,
                disbursed_total=EOK,
                maturity_on=timezone.localdate(),
            )

    def count() -> int:
        assert c.get("/finance/book/").status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/finance/book/").status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = count()
    add(4)
    assert count() == few


def test_every_sort_key_both_ways_and_nonsense(personas: Any, products: None) -> None:
    from nic1000.finance.book import BOOK_SORT

    _book(personas)
    c = _login(personas.institution_kdb)
    for key in BOOK_SORT.columns:
        for direction in ("asc", "desc"):
            r = c.get("/finance/book/", {"sort": key, "dir": direction})
            assert r.status_code == 200 and "aria-sort=" in r.content.decode(), (key, direction)
    for query in ("sort=password&dir=sideways", "page=abc", "due=forever", "product=x", "state=declined"):
        assert c.get(f"/finance/book/?{query}").status_code == 200, query
