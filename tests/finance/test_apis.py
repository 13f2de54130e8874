import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.finance.models import ApiToken, Application, Disbursement, IdempotencyRecord
from nic1000.finance.selectors import token_hash
from nic1000.finance.tokens import api_token_create, api_token_revoke
from tests.factories import CompanyFactory, institution
from tests.finance.factories import make_application, make_token, select

pytestmark = pytest.mark.django_db

BASE = "/api/v1/finance"


def _client(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _post(c: Client, url: str, body: dict, key: str | None = "k1"):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    return c.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def world(personas, products):  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    select(personas.company_b_obj)
    kdb_app = make_application(
        personas.company_a_obj, code="KDB-OPER", amount=2_000_000_000, limit_krw=6_000_000_000
    )
    ibk_app = make_application(personas.company_b_obj, code="IBK-OPER")
    token, secret = make_token("KDB")
    return {"kdb_app": kdb_app, "ibk_app": ibk_app, "token": token, "secret": secret}


def test_no_token_unknown_token_and_revoked_token_get_401(world, personas) -> None:  # type: ignore[no-untyped-def]
    for c in (Client(), _client("nope")):
        r = c.get(f"{BASE}/applications")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"
    c = _client(world["secret"])
    assert c.get(f"{BASE}/applications").status_code == 200
    api_token_revoke(token=world["token"], acting_user=personas.program_office)
    assert c.get(f"{BASE}/applications").status_code == 401
    r = _post(c, f"{BASE}/applications/{world['kdb_app'].pk}/decisions", {"decision": "start_review"})
    assert r.status_code == 401
    world["kdb_app"].refresh_from_db()
    assert world["kdb_app"].state == "submitted"


def test_token_is_created_hashed_and_shown_once(personas, products) -> None:  # type: ignore[no-untyped-def]
    token, secret = api_token_create(
        institution=institution("IBK"), name="IBK core", acting_user=personas.program_office
    )
    assert token.token_hash == token_hash(secret) and secret not in token.token_hash
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    assert AuditEntry.objects.filter(action="finance_api_token.create").exists()


def test_token_sees_only_its_institution(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    ids = [a["id"] for a in c.get(f"{BASE}/applications").json()["items"]]
    assert ids == [world["kdb_app"].pk]
    assert c.get(f"{BASE}/applications/{world['ibk_app'].pk}").status_code == 404
    r = _post(c, f"{BASE}/applications/{world['ibk_app'].pk}/decisions", {"decision": "start_review"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    world["ibk_app"].refresh_from_db()
    assert world["ibk_app"].state == "submitted"


def test_list_filters_and_pagination(world, personas) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    for _ in range(3):
        make_application(personas.company_a_obj, code="KDB-FAC")
    r = c.get(f"{BASE}/applications", {"page_size": 2, "page": 2})
    body = r.json()
    assert body["count"] == 4 and body["page"] == 2 and len(body["items"]) == 2
    assert c.get(f"{BASE}/applications", {"state": "approved"}).json()["count"] == 0
    future = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert c.get(f"{BASE}/applications", {"updated_since": future}).json()["count"] == 0
    r = c.get(f"{BASE}/applications", {"state": "nonsense"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"


def test_selected_companies_are_the_active_members(world, personas) -> None:  # type: ignore[no-untyped-def]
    CompanyFactory()  # not selected
    c = _client(world["secret"])
    body = c.get(f"{BASE}/selected-companies", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    item = body["items"][0]
    assert {"company_id", "brn", "round_number", "body_code", "sector", "selected_on"} <= set(item)


def test_decide_approve_disburse_through_the_api(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    url = f"{BASE}/applications/{world['kdb_app'].pk}"
    assert _post(c, f"{url}/decisions", {"decision": "start_review"}, "a").status_code == 200
    r = _post(
        c,
        f"{url}/decisions",
        {"decision": "approve", "amount": 7_000_000_000, "rate_pct": 3.5, "maturity_months": 36},
        "b",
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "amount_above_limit"
    r = _post(
        c,
        f"{url}/decisions",
        {"decision": "approve", "amount": 2_000_000_000, "rate_pct": 3.5, "maturity_months": 36},
        "c",
    )
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["approved_rate_pct"] == 3.5
    r = _post(c, f"{url}/disbursements", {"amount": 500_000_000, "on": "2021-06-01", "reference": "T-1"}, "d")
    assert r.status_code == 201 and r.json()["application"]["state"] == "disbursing"
    r = _post(c, f"{url}/repayments", {"amount": 100_000_000, "on": "2021-12-01"}, "e")
    assert r.status_code == 201 and r.json()["application"]["repaid_total"] == 100_000_000
    # A decision in the wrong state: 409, nothing changes.
    r = _post(c, f"{url}/decisions", {"decision": "decline", "reason": "late"}, "f")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
    world["kdb_app"].refresh_from_db()
    assert world["kdb_app"].state == "disbursing"
    entry = AuditEntry.objects.filter(action="finance_application.approve").get()
    assert entry.actor_label.startswith("api:KDB:")


def test_replayed_post_gives_the_same_answer_once(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    url = f"{BASE}/applications/{world['kdb_app'].pk}"
    approve = {"decision": "approve", "amount": 2_000_000_000, "rate_pct": 3.5, "maturity_months": 36}
    assert _post(c, f"{url}/decisions", approve, "ap").status_code == 200
    body = {"amount": 300_000_000, "on": "2021-06-01"}
    first = _post(c, f"{url}/disbursements", body, "pay-1")
    second = _post(c, f"{url}/disbursements", body, "pay-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Disbursement.objects.count() == 1
    assert Application.objects.get(pk=world["kdb_app"].pk).disbursed_total == 300_000_000
    # Same key, another body: refused, nothing changes.
    r = _post(c, f"{url}/disbursements", {"amount": 400_000_000, "on": "2021-06-01"}, "pay-1")
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused"
    assert Disbursement.objects.count() == 1
    # The key is required on every POST.
    r = _post(c, f"{url}/disbursements", body, None)
    assert r.status_code == 422
    assert Disbursement.objects.count() == 1
    # Keys belong to an institution: another institution's token with the same key does its own (not found).
    _, other = make_token("IBK")
    r = _post(_client(other), f"{url}/disbursements", body, "pay-1")
    assert r.status_code == 404
    assert IdempotencyRecord.objects.count() == 3


def test_replayed_error_answer_is_stored(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    url = f"{BASE}/applications/{world['kdb_app'].pk}/disbursements"
    body = {"amount": 1, "on": "2021-06-01"}
    r1 = _post(c, url, body, "x")
    r2 = _post(c, url, body, "x")
    assert r1.status_code == r2.status_code == 409 and r1.json() == r2.json()


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_per_token(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    codes = [c.get(f"{BASE}/applications").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = c.get(f"{BASE}/applications")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r["Retry-After"]) <= 61  # per-second counts: the first second leaves within 61 s
    # Another token has its own window.
    _, other = make_token("KDB")
    assert _client(other).get(f"{BASE}/applications").status_code == 200


def test_openapi_declares_every_answer(world) -> None:  # type: ignore[no-untyped-def]
    schema = Client().get("/api/openapi.json").json()
    op = schema["paths"][f"{BASE}/applications/{{application_id}}/decisions"]["post"]
    assert {"200", "401", "403", "404", "409", "413", "422", "429"} <= set(op["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in op["parameters"])


def test_transfer_through_the_api_hands_it_over(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    url = f"{BASE}/applications/{world['kdb_app'].pk}"
    r = _post(
        c, f"{url}/decisions", {"decision": "transfer", "transfer_to": "ibk", "reason": "소액 운전자금"}, "t"
    )
    assert r.status_code == 200 and r.json()["institution_code"] == "IBK" and r.json()["state"] == "submitted"
    assert c.get(url).status_code == 404
    r = _post(c, f"{url}/decisions", {"decision": "transfer", "transfer_to": "XXX", "reason": "x"}, "t2")
    assert r.status_code == 404  # no longer KDB's
