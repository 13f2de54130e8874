"""Each step of a finance application tells the people who act next, the same way from a page or the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from nic1000.core.models import Notification
from nic1000.core.schedule import jobs
from nic1000.finance import services
from nic1000.finance.tasks import repayment_due
from tests.factories import UserFactory, institution
from tests.finance.factories import make_application, make_token, select
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def second_kdb_officer(personas: Any) -> Any:
    return UserFactory(username="kdb2", role="institution_officer", institution=institution("KDB"))


def test_center_submission_tells_the_receiving_institution(
    personas: Any, products: None, second_kdb_officer: Any
) -> None:
    select(personas.company_a_obj, sales=10_000_000_000)
    app = services.application_submit(
        company=personas.company_a_obj,
        acting_user=personas.company_a,
        purpose="operating",
        amount=4_000_000_000,
        channel="center",
    )
    assert app.institution.code == "KDB"
    n = assert_told(personas.institution_kdb, "finance.routed", number=str(app), requested="4,000,000,000")
    assert_told(second_kdb_officer, "finance.routed")
    assert_not_told(personas.institution_ibk, "finance.routed")
    assert n.link == f"/finance/applications/{app.pk}/"
    with translation.override("en"):
        assert "Center routed" in n.title_text and "KRW 4,000,000,000" in n.body_text


def test_direct_submission_and_transfer_tell_each_receiving_institution(
    personas: Any, products: None
) -> None:
    from tests.finance.factories import product

    select(personas.company_a_obj, sales=10_000_000_000)
    app = services.application_submit(
        company=personas.company_a_obj,
        acting_user=personas.company_a,
        purpose="operating",
        amount=500_000_000,
        channel="direct",
        product=product("KDB-OPER"),
    )
    assert_told(personas.institution_kdb, "finance.routed", number=str(app))
    services.application_transfer(
        application=app, acting_user=personas.institution_kdb, institution=institution("IBK"), reason="소액"
    )
    n = assert_told(personas.institution_ibk, "finance.routed", number=str(app), **{"from": "KDB"})
    with translation.override("en"):
        assert n.title_text.startswith("KDB transferred")


def test_information_asked_and_answered(personas: Any, products: None) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    services.application_request_info(
        application=app, acting_user=personas.institution_kdb, message="최근 3개월 매출 자료"
    )
    n = assert_told(personas.company_a, "finance.info_requested", institution="KDB")
    assert n.params["message"] == "최근 3개월 매출 자료"
    assert_not_told(personas.company_b, "finance.info_requested")
    services.application_reply(application=app, acting_user=personas.company_a, reply="첨부했습니다")
    assert_told(personas.institution_kdb, "finance.info_answered", number=str(app))
    assert_not_told(personas.institution_ibk, "finance.info_answered")


def test_approval_and_disbursement_tell_the_company(personas: Any, products: None) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER", amount=1_000_000_000)
    services.application_approve(
        application=app,
        acting_user=personas.institution_kdb,
        amount=1_800_000_000,
        rate_pct=Decimal("3.5"),
        maturity_months=12,
    )
    n = assert_told(personas.company_a, "finance.approved", amount="1,800,000,000", requested="1,000,000,000")
    with translation.override("en"):
        assert n.title_text == f"KDB approved KRW 1,800,000,000 for finance application {app}"
    services.disbursement_record(
        application=app, acting_user=personas.institution_kdb, amount=800_000_000, on=dt.date(2026, 1, 31)
    )
    assert_told(personas.company_a, "finance.disbursed", amount="800,000,000", total="800,000,000")
    app.refresh_from_db()
    assert app.maturity_on == dt.date(2027, 1, 31)  # the first disbursement plus 12 months
    services.disbursement_record(
        application=app, acting_user=personas.institution_kdb, amount=1_000_000_000, on=dt.date(2026, 2, 28)
    )
    assert_told(personas.company_a, "finance.disbursed", amount="1,000,000,000", total="1,800,000,000")
    app.refresh_from_db()
    assert app.maturity_on == dt.date(2027, 1, 31)  # later payments do not move it
    assert_not_told(personas.company_b, "finance.approved")


def test_decline_tells_the_company_the_reason(personas: Any, products: None) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    services.application_decline(application=app, acting_user=personas.institution_kdb, reason="담보 부족")
    assert_told(personas.company_a, "finance.declined", reason="담보 부족", institution="KDB")


def test_refused_decision_tells_nobody(personas: Any, products: None) -> None:
    from nic1000.core.errors import ValidationFailed

    app = make_application(personas.company_a_obj, code="KDB-OPER", limit_krw=1_000_000_000)
    with pytest.raises(ValidationFailed):
        services.application_approve(
            application=app,
            acting_user=personas.institution_kdb,
            amount=2_000_000_000,
            rate_pct=Decimal("3.5"),
            maturity_months=12,
        )
    assert_not_told(personas.company_a, "finance.approved")


def _api_post(secret: str, url: str, body: dict[str, Any], key: str) -> Any:
    return Client(headers={"Authorization": f"Bearer {secret}"}).post(
        url, data=json.dumps(body), content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_api_decisions_tell_the_same_people(personas: Any, products: None) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER", amount=1_000_000_000)
    declined = make_application(personas.company_a_obj, code="KDB-OPER", amount=500_000_000)
    _token, secret = make_token("KDB")
    base = "/api/v1/finance/applications"
    r = _api_post(secret, f"{base}/{app.pk}/decisions", {"decision": "request_info", "reason": "자료"}, "a")
    assert r.status_code == 200
    assert_told(personas.company_a, "finance.info_requested", number=str(app))
    services.application_reply(application=app, acting_user=personas.company_a, reply="보냄")
    body = {"decision": "approve", "amount": 1_000_000_000, "rate_pct": 3.5, "maturity_months": 24}
    assert _api_post(secret, f"{base}/{app.pk}/decisions", body, "b").status_code == 200
    assert_told(personas.company_a, "finance.approved", number=str(app), amount="1,000,000,000")
    r = _api_post(secret, f"{base}/{app.pk}/disbursements", {"amount": 400_000_000, "on": "2026-03-02"}, "c")
    assert r.status_code == 201
    assert_told(personas.company_a, "finance.disbursed", number=str(app), amount="400,000,000")
    # A replayed request (same Idempotency-Key) does not tell anyone twice.
    _api_post(secret, f"{base}/{app.pk}/disbursements", {"amount": 400_000_000, "on": "2026-03-02"}, "c")
    assert Notification.objects.filter(kind="finance.disbursed").count() == 1
    body = {"decision": "decline", "reason": "한도 초과"}
    assert _api_post(secret, f"{base}/{declined.pk}/decisions", body, "d").status_code == 200
    assert_told(personas.company_a, "finance.declined", number=str(declined), reason="한도 초과")


def test_repayment_due_is_told_once_within_seven_days(personas: Any, products: None) -> None:
    select(personas.company_b_obj)
    soon = make_application(
        personas.company_a_obj,
        state="disbursing",
        approved_amount=10**9,
        disbursed_total=10**9,
        repaid_total=2 * 10**8,
        maturity_on=dt.date(2026, 6, 5),
    )
    later = make_application(
        personas.company_b_obj,
        state="disbursing",
        approved_amount=10**9,
        disbursed_total=10**9,
        maturity_on=dt.date(2026, 6, 20),
    )
    repaid = make_application(
        personas.company_a_obj,
        code="IBK-OPER",
        state="completed",
        approved_amount=10**9,
        disbursed_total=10**9,
        repaid_total=10**9,
        maturity_on=dt.date(2026, 6, 3),
    )
    now = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SEOUL)
    assert repayment_due(now=now) == 1
    n = assert_told(personas.company_a, "finance.repayment_due", number=str(soon), due="2026-06-05")
    assert n.params["outstanding"] == "800,000,000"
    assert_not_told(personas.company_b, "finance.repayment_due")
    assert not Notification.objects.filter(kind="finance.repayment_due", params__number=str(repaid)).exists()
    # Running again the same day (or the next) tells nobody anything new.
    repayment_due(now=now)
    repayment_due(now=now + dt.timedelta(days=1))
    assert Notification.objects.filter(kind="finance.repayment_due").count() == 1
    # Two weeks later the other one is due.
    repayment_due(now=now + dt.timedelta(days=14))
    assert_told(personas.company_b, "finance.repayment_due", number=str(later))
    assert (
        Notification.objects.filter(kind="finance.repayment_due", recipient=personas.company_a).count() == 1
    )


def test_repayment_job_is_registered_daily() -> None:
    job = {j.name: j for j in jobs()}["finance.repayment_due"]
    assert job.period == "daily" and job.func() is repayment_due
