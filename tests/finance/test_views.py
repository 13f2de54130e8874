import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from nic1000.finance.models import ApiToken, Application
from nic1000.finance.selectors import token_hash
from tests.finance.factories import make_application, select

pytestmark = pytest.mark.django_db


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_company_sees_its_terms_before_applying(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    c = _login(personas.company_a)
    html = c.get("/finance/terms/").content.decode()
    assert 'data-product="KDB-OPER"' in html and "3.50%" in html
    partial = c.get("/finance/terms/?estimated_sales=20000000000", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert "120.0" in partial.content.decode()  # 60% of 20 bn = 120억원


def test_apply_above_limit_rerenders_with_error(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    c = _login(personas.company_a)
    r = c.post("/finance/apply/", {"channel": "center", "purpose": "operating", "amount": "9000000000"})
    assert r.status_code == 422
    assert "has-error" in r.content.decode()
    assert not Application.objects.exists()
    r = c.post("/finance/apply/", {"channel": "center", "purpose": "operating", "amount": "4000000000"})
    assert r.status_code == 302
    app = Application.objects.get()
    assert app.institution.code == "KDB"
    assert "KDB" in c.get(f"/finance/applications/{app.pk}/").content.decode()


def test_not_selected_company_cannot_apply(personas, products) -> None:  # type: ignore[no-untyped-def]
    c = _login(personas.company_b)
    r = c.post("/finance/apply/", {"channel": "center", "purpose": "operating", "amount": "100000000"})
    assert r.status_code == 422 and not Application.objects.exists()


def test_officer_decides_in_the_ui(personas, products) -> None:  # type: ignore[no-untyped-def]
    app = make_application(personas.company_a_obj, code="KDB-OPER", amount=1_000_000_000)
    c = _login(personas.institution_kdb)
    url = f"/finance/applications/{app.pk}/action/"
    assert c.post(url, {"action": "start_review"}).status_code == 302
    r = c.post(
        url,
        {
            "action": "approve",
            "approve-amount": "9000000000",
            "approve-rate_pct": "3.5",
            "approve-maturity_months": "36",
            "confirmed": "1",
        },
    )
    assert r.status_code == 422 and "has-error" in r.content.decode()
    app.refresh_from_db()
    assert app.state == "under_review"
    r = c.post(
        url,
        {
            "action": "approve",
            "approve-amount": "1000000000",
            "approve-rate_pct": "3.5",
            "approve-maturity_months": "36",
            "confirmed": "1",
        },
    )
    assert r.status_code == 302
    r = c.post(
        url,
        {
            "action": "disburse",
            "disburse-amount": "1000000000",
            "disburse-on": "2021-06-01",
            "confirmed": "1",
        },
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == "completed" and app.disbursed_total == 1_000_000_000
    # Wrong state: clear error, nothing changes.
    r = c.post(url, {"action": "decline", "decline-reason": "x", "confirmed": "1"})
    assert r.status_code == 409
    # Another bank's officer does not see it.
    assert _login(personas.institution_ibk).get(f"/finance/applications/{app.pk}/").status_code == 404


def test_dashboard_and_excel(personas, products) -> None:  # type: ignore[no-untyped-def]
    app = make_application(personas.company_a_obj, code="KDB-OPER", state="approved", approved_amount=10**9)
    c = _login(personas.program_office)
    html = c.get("/finance/dashboard/").content.decode()
    assert "chart.umd.min.js" in html and "finance-chart-data" in html
    r = c.get("/finance/dashboard/export.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        "신청",
        "기관별 익스포저",
        "상품별 익스포저",
        "프로그램 지원 실적",
    ]  # Korean by default
    assert wb["신청"].cell(row=2, column=1).value == app.pk
    assert c.get(f"/finance/applications/{app.pk}/").status_code == 200


def test_tokens_page_shows_secret_once_and_revokes(personas, products) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import institution

    c = _login(personas.program_office)
    r = c.post("/finance/tokens/", {"institution": institution("IBK").pk, "name": "IBK core"})
    html = r.content.decode()
    token = ApiToken.objects.get()
    start = html.index('data-testid="secret">') + len('data-testid="secret">')
    secret = html[start : html.index("</code>", start)]
    assert token_hash(secret) == token.token_hash
    assert secret not in c.get("/finance/tokens/").content.decode()
    assert c.post(f"/finance/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_list_shows_time_in_current_state(personas, products) -> None:  # type: ignore[no-untyped-def]
    from nic1000.finance import services

    app = make_application(personas.company_a_obj, code="KDB-OPER")
    services.application_start_review(application=app, acting_user=personas.institution_kdb)
    from nic1000.finance.selectors import application_list

    row = application_list(user=personas.program_office).get(pk=app.pk)
    assert row.state_since >= app.created_at
    assert _login(personas.program_office).get("/finance/applications/").status_code == 200
