"""The API's edges (issue 11, item 9): the rate limit slides (no double burst across a minute boundary),
idempotency keys belong to the institution, `updated_since` is strict, and every error under /api/ is JSON."""

import datetime as dt
import json
import random
from collections.abc import Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from nic1000.finance import tokens
from nic1000.finance.models import ApiRateCounter, Application, Disbursement, IdempotencyRecord
from tests.finance.factories import make_application, make_token, select

pytestmark = pytest.mark.django_db

BASE = "/api/v1/finance"


def _client(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _post(c: Client, url: str, body: dict, key: str = "k1"):  # type: ignore[no-untyped-def]
    return c.post(
        url, data=json.dumps(body), content_type="application/json", headers={"Idempotency-Key": key}
    )


def _is_error(r, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.content[:300]
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    error = r.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    if code is not None:
        assert error["code"] == code


@pytest.fixture
def world(personas, products):  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    app = make_application(
        personas.company_a_obj, code="KDB-OPER", amount=2_000_000_000, limit_krw=6_000_000_000
    )
    token, secret = make_token("KDB")
    return {"app": app, "token": token, "secret": secret}


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock(dt.datetime(2026, 3, 2, 3, 0, 59, 200_000, tzinfo=dt.UTC))
    with mock.patch("django.utils.timezone.now", c):
        yield c


# ---------------------------------------------------------------- rate limit


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_does_not_reset_at_the_minute_boundary(world, clock) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    assert [c.get(f"{BASE}/applications").status_code for _ in range(3)] == [200, 200, 200]
    clock.now += dt.timedelta(seconds=1)  # 03:01:00.2: a new minute, but the three are still within 60 s
    r = c.get(f"{BASE}/applications")
    _is_error(r, 429, "rate_limited")
    assert r["Retry-After"] == "60"
    clock.now += dt.timedelta(seconds=59)  # 03:01:59.2: 60 s after the first, still refused
    assert c.get(f"{BASE}/applications").status_code == 429
    clock.now += dt.timedelta(seconds=1)  # 03:02:00.2: the three have slid out
    assert [c.get(f"{BASE}/applications").status_code for _ in range(4)] == [200, 200, 200, 429]
    # Another token has its own count.
    _, other = make_token("KDB")
    assert _client(other).get(f"{BASE}/applications").status_code == 200


def test_rate_limit_never_lets_more_than_the_limit_through_in_any_60_seconds(world, clock) -> None:  # type: ignore[no-untyped-def]
    """A seeded random stream of requests over five minutes, straight through the service: in every 60 s span
    at most `limit` are accepted, and a refusal names when to come back."""
    limit = 7
    rng = random.Random(11)
    accepted: list[dt.datetime] = []
    refused = 0
    for _ in range(400):
        clock.now += dt.timedelta(milliseconds=rng.choice([5, 50, 300, 900, 2500]))
        wait = tokens.api_rate_hit(token=world["token"], limit=limit)
        if wait == 0:
            accepted.append(clock.now)
        else:
            refused += 1
            assert 1 <= wait <= 61
    assert refused and len(accepted) > limit
    for i, t in enumerate(accepted):
        in_span = [u for u in accepted[: i + 1] if t - u <= dt.timedelta(seconds=60)]
        assert len(in_span) <= limit, (t, in_span)
    # One row per token, holding only the last minute's seconds.
    row = ApiRateCounter.objects.get(token=world["token"])
    assert len(row.seconds) <= 61


# ---------------------------------------------------------------- idempotency


def test_idempotency_key_is_shared_by_the_tokens_of_one_institution(world) -> None:  # type: ignore[no-untyped-def]
    url = f"{BASE}/applications/{world['app'].pk}"
    first = _client(world["secret"])
    approve = {"decision": "approve", "amount": 2_000_000_000, "rate_pct": 3.5, "maturity_months": 36}
    assert _post(first, f"{url}/decisions", approve, "ap").status_code == 200
    _, second_secret = make_token("KDB")
    second = _client(second_secret)
    body = {"amount": 300_000_000, "on": "2021-06-01"}
    r1 = _post(first, f"{url}/disbursements", body, "pay-1")
    r2 = _post(second, f"{url}/disbursements", body, "pay-1")
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json()
    assert Disbursement.objects.count() == 1
    assert Application.objects.get(pk=world["app"].pk).disbursed_total == 300_000_000
    # The same key with another body, through the second token: refused, nothing changes.
    r = _post(second, f"{url}/disbursements", {"amount": 1_000, "on": "2021-06-01"}, "pay-1")
    _is_error(r, 422, "idempotency_key_reused")
    assert Disbursement.objects.count() == 1
    # The approval's key replays too (the same decision through the other token is not made twice).
    r = _post(second, f"{url}/decisions", approve, "ap")
    assert r.status_code == 200
    assert IdempotencyRecord.objects.filter(key="ap").count() == 1


# ---------------------------------------------------------------- updated_since


@pytest.mark.parametrize(
    "value",
    [
        "0.5",
        "1700000000",
        "0",
        "2026-01-01T00:00:00",
        "2026-13-01",
        "2026-02-30",
        "yesterday",
        "2026-01-01T25:00Z",
    ],
)
def test_updated_since_refuses_anything_but_an_iso_date_or_zoned_datetime(world, value) -> None:  # type: ignore[no-untyped-def]
    r = _client(world["secret"]).get(f"{BASE}/applications", {"updated_since": value})
    _is_error(r, 422, "validation_failed")
    assert r.json()["error"]["details"][0]["field"].endswith("updated_since")


def test_updated_since_takes_dates_and_zoned_datetimes(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    past = timezone.now() - dt.timedelta(hours=1)
    cases = {
        today.isoformat(): 1,
        tomorrow.isoformat(): 0,
        past.isoformat(): 1,
        past.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"): 1,
        (timezone.now() + dt.timedelta(minutes=5)).isoformat(): 0,
    }
    for value, count in cases.items():
        r = c.get(f"{BASE}/applications", {"updated_since": value})
        assert r.status_code == 200, (value, r.content)
        assert r.json()["count"] == count, value


# ---------------------------------------------------------------- every error is JSON


def test_a_body_over_the_limit_is_413_json_and_nothing_happens(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    url = f"{BASE}/applications/{world['app'].pk}/decisions"
    huge = json.dumps({"decision": "start_review", "reason": "x" * (11 * 1024 * 1024)})
    r = c.post(url, data=huge, content_type="application/json", headers={"Idempotency-Key": "big"})
    _is_error(r, 413, "payload_too_large")
    with override_settings(API_MAX_BODY_BYTES=1000):
        body = json.dumps({"decision": "start_review", "reason": "x" * 1000})
        r = c.post(url, data=body, content_type="application/json", headers={"Idempotency-Key": "big"})
        _is_error(r, 413, "payload_too_large")
    world["app"].refresh_from_db()
    assert world["app"].state == "submitted" and not IdempotencyRecord.objects.exists()


def test_django_refusing_the_body_is_413_json_too(world) -> None:  # type: ignore[no-untyped-def]
    """Without the middleware's early check (a body Django itself refuses when it is read)."""
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("ApiJsonErrorsMiddleware")]
    with override_settings(MIDDLEWARE=middleware, DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        body = json.dumps({"decision": "start_review", "reason": "x" * 2000})
        r = _post(
            _client(world["secret"]),
            f"{BASE}/applications/{world['app'].pk}/decisions",
            {"decision": "start_review"},
            "a",
        )
        assert r.status_code == 200  # a small body still passes
        r = _client(world["secret"]).post(
            f"{BASE}/applications/{world['app'].pk}/decisions",
            data=body,
            content_type="application/json",
            headers={"Idempotency-Key": "b"},
        )
        _is_error(r, 413, "payload_too_large")


def test_unknown_api_urls_and_wrong_methods_answer_json(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world["secret"])
    _is_error(c.get("/api/v1/finance/nothing-here"), 404, "not_found")
    _is_error(c.get("/api/v2/"), 404, "not_found")
    _is_error(c.post("/api/nothing", data="{}", content_type="application/json"), 404, "not_found")
    r = c.delete(f"{BASE}/applications")
    _is_error(r, 405, "method_not_allowed")
    assert "GET" in r["Allow"]
    _is_error(c.put(f"{BASE}/applications/{world['app'].pk}/disbursements"), 405, "method_not_allowed")
    # Outside /api/ the site's own pages are untouched.
    assert not Client().get("/no-such-page/")["Content-Type"].startswith("application/json")


def test_an_unexpected_failure_is_a_json_500_and_is_logged(world, caplog) -> None:  # type: ignore[no-untyped-def]
    with mock.patch("nic1000.finance.apis.S.applications_for_institution", side_effect=RuntimeError("boom")):
        r = _client(world["secret"]).get(f"{BASE}/applications")
    _is_error(r, 500, "server_error")
    assert "boom" not in r.content.decode()
    assert any(rec.exc_info and "boom" in str(rec.exc_info[1]) for rec in caplog.records)
