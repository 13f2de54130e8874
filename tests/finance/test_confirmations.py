"""Approving, declining, disbursing and transferring ask first (saying what will happen) and say what was done."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from nic1000.finance.models import Application
from tests.factories import institution
from tests.finance.factories import make_application
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _login(user: Any) -> Client:
    c = Client(headers={"Accept-Language": "en"})
    c.force_login(user)
    return c


def _approve(amount: int, **extra: str) -> dict[str, str]:
    return {
        "action": "approve",
        "approve-amount": str(amount),
        "approve-rate_pct": "3.5",
        "approve-maturity_months": "36",
        **extra,
    }


def _consequences(html: str) -> str:
    start = html.index('data-testid="confirm-consequences"')
    return html[start : html.index("</ul>", start)]


def _message(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_approving_more_than_requested_says_so_then_reports(
    personas: Any, products: None, english: Any
) -> None:
    app = make_application(personas.company_a_obj, code="IBK-OPER", amount=1_500_000_000)
    c = _login(personas.institution_ibk)
    url = f"/finance/applications/{app.pk}/action/"
    r = c.post(url, _approve(1_800_000_000))
    assert r.status_code == 200
    html = r.content.decode()
    lines = _consequences(html)
    assert "IBK approves KRW 1,800,000,000" in lines
    assert "MORE than the company asked for: KRW 1,800,000,000 approved against KRW 1,500,000,000" in lines
    assert "KRW 300,000,000 more" in lines and "notified" in lines
    assert 'name="approve-amount" value="1800000000"' in html and 'name="confirmed" value="1"' in html
    assert 'data-testid="confirm-yes"' in html
    app.refresh_from_db()
    assert app.state == "submitted"  # nothing happened yet
    assert_not_told(personas.company_a, "finance.approved")
    r = c.post(url, _approve(1_800_000_000, confirmed="1"))
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == "approved" and app.approved_amount == 1_800_000_000
    assert _message(r) == f"IBK approved KRW 1,800,000,000 for {app}; the company was notified."
    assert_told(personas.company_a, "finance.approved")


def test_approving_as_requested_does_not_warn(personas: Any, products: None, english: Any) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER", amount=1_000_000_000)
    r = _login(personas.institution_kdb).post(
        f"/finance/applications/{app.pk}/action/", _approve(1_000_000_000)
    )
    assert "MORE" not in _consequences(r.content.decode())


def test_decline_asks_with_the_reason_then_reports(personas: Any, products: None, english: Any) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    c = _login(personas.institution_kdb)
    url = f"/finance/applications/{app.pk}/action/"
    data = {"action": "decline", "decline-reason": "Collateral too thin"}
    r = c.post(url, data)
    lines = _consequences(r.content.decode())
    assert "declined; this ends the application" in lines and "Collateral too thin" in lines
    assert Application.objects.get(pk=app.pk).state == "submitted"
    r = c.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).state == "declined"
    assert _message(r) == f"KDB declined {app}; the company was notified."


def test_disburse_says_it_completes_then_reports(personas: Any, products: None, english: Any) -> None:
    app = make_application(
        personas.company_a_obj,
        code="KDB-OPER",
        state="approved",
        approved_amount=1_000_000_000,
        approved_maturity_months=12,
    )
    c = _login(personas.institution_kdb)
    url = f"/finance/applications/{app.pk}/action/"
    data = {"action": "disburse", "disburse-amount": "1000000000", "disburse-on": "2026-06-01"}
    r = c.post(url, data)
    lines = _consequences(r.content.decode())
    assert "KRW 1,000,000,000 is recorded as paid out" in lines and "application is completed" in lines
    assert Application.objects.get(pk=app.pk).disbursed_total == 0
    r = c.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).state == "completed"
    assert _message(r) == f"KRW 1,000,000,000 paid out on {app} is recorded; the company was notified."


def test_transfer_asks_then_reports(personas: Any, products: None, english: Any) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER", amount=500_000_000)
    c = _login(personas.institution_kdb)
    url = f"/finance/applications/{app.pk}/action/"
    data = {
        "action": "transfer",
        "transfer-institution": str(institution("IBK").pk),
        "transfer-reason": "small",
    }
    r = c.post(url, data)
    assert "moves from KDB to IBK" in _consequences(r.content.decode())
    assert Application.objects.get(pk=app.pk).institution.code == "KDB"
    r = c.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).institution.code == "IBK"
    assert _message(r) == f"{app} was transferred to IBK; its officers were notified."


def test_invalid_input_rerenders_before_asking(personas: Any, products: None, english: Any) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    r = _login(personas.institution_kdb).post(
        f"/finance/applications/{app.pk}/action/", {"action": "decline"}
    )
    assert r.status_code == 422 and 'data-testid="confirm"' not in r.content.decode()
