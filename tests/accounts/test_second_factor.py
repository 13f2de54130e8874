"""The second factor: required on every session path, fresh for sensitive actions, reset by the office."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.second_factor import second_factor_verified
from nic1000.accounts.services import program_setting_update, second_factor_reset
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden
from nic1000.core.models import Notification, ProgramSetting
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _fresh(device: TOTPDevice) -> str:
    device.refresh_from_db()
    device.last_t = -1
    device.throttle_reset(commit=False)
    device.save()
    return _token(device)


def _unverified_office(personas: Any) -> Client:
    program_setting_update(require_staff_2fa=True, acting_user=personas.program_office)
    c = Client()
    c.force_login(personas.program_office)  # password only: the session has not entered a code
    return c


def test_an_unverified_session_cannot_switch_the_requirement_off(personas: Any) -> None:
    c = _unverified_office(personas)
    r = c.post("/accounts/settings/", {"require_staff_2fa": ""})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/two-factor/")
    assert ProgramSetting.current().require_staff_2fa
    assert c.get("/accounts/password/").status_code == 302


def test_an_unverified_session_cannot_use_the_api(personas: Any) -> None:
    c = _unverified_office(personas)
    r = c.post("/api/v1/rounds/999999/selection-run", {}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "second_factor_required"


def test_token_authenticated_api_calls_are_not_sessions(personas: Any) -> None:
    from tests.finance.factories import make_token

    program_setting_update(require_staff_2fa=True, acting_user=personas.program_office)
    _, secret = make_token("KDB")
    r = Client().get("/api/v1/finance/selected-companies", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200


def test_the_verification_pages_stay_reachable(personas: Any) -> None:
    c = _unverified_office(personas)
    assert c.get("/accounts/two-factor/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302


def test_sensitive_pages_ask_again_for_a_code_after_a_while(personas: Any, settings: Any) -> None:
    settings.SECOND_FACTOR_RECENT_SECONDS = 900
    device = TOTPDevice.objects.create(user=personas.program_office, name="phone", confirmed=True)
    c = Client()
    r = c.post("/accounts/login/", {"username": "po", "password": PASSWORD})
    assert r["Location"].endswith("/accounts/login/otp/")
    assert c.post("/accounts/login/otp/", {"token": _fresh(device)}).status_code == 302
    assert c.get("/accounts/settings/").status_code == 200  # just verified

    session = c.session
    session["nic1000_2fa_at"] = int(time.time()) - 901
    session.save()
    r = c.get("/accounts/settings/")
    assert r.status_code == 302 and r["Location"] == "/accounts/two-factor/?next=%2Faccounts%2Fsettings%2F"
    assert c.get("/finance/tokens/").status_code == 302
    assert c.get("/notifications/").status_code == 200  # not sensitive: no new code needed
    r = c.post(
        "/accounts/two-factor/?next=/accounts/settings/",
        {"token": _fresh(device), "next": "/accounts/settings/"},
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/settings/"
    assert c.get("/accounts/settings/").status_code == 200


def test_users_without_an_authenticator_are_not_asked_while_it_is_optional(personas: Any) -> None:
    c = Client()
    c.force_login(personas.program_office)
    assert c.get("/accounts/settings/").status_code == 200


def test_the_office_resets_a_second_factor_audited_and_the_user_is_told(personas: Any) -> None:
    TOTPDevice.objects.create(user=personas.evaluator, name="phone", confirmed=True)
    with pytest.raises(Forbidden):
        second_factor_reset(user=personas.evaluator, acting_user=personas.auditor)
    assert TOTPDevice.objects.filter(user=personas.evaluator).exists()

    c = Client()
    c.force_login(personas.program_office)
    r = c.post("/accounts/two-factor/reset/", {"username": "eval1"})
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()  # asks first
    assert TOTPDevice.objects.filter(user=personas.evaluator).exists()
    r = c.post("/accounts/two-factor/reset/", {"username": "eval1", "confirmed": "1"})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.evaluator).exists()
    entry = AuditEntry.objects.get(action="user.2fa_reset")
    assert entry.actor_label == "po" and entry.object_id == str(personas.evaluator.pk)
    assert Notification.objects.filter(recipient=personas.evaluator, kind="account").count() == 1


def test_replacing_an_enrolled_authenticator_needs_a_verified_session(personas: Any) -> None:
    device = TOTPDevice.objects.create(user=personas.evaluator, name="phone", confirmed=True)
    c = Client()
    c.force_login(personas.evaluator)
    r = c.get("/accounts/two-factor/?reset=1")
    assert r.status_code == 200 and 'data-testid="totp-secret"' not in r.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.evaluator, confirmed=False).exists()
    # Once this session has proved the current authenticator, a new one may be enrolled.
    assert c.post("/accounts/two-factor/", {"token": _fresh(device)}).status_code == 302
    r = c.get("/accounts/two-factor/?reset=1")
    assert 'data-testid="totp-secret"' in r.content.decode()


def test_second_factor_verified_records_the_time(personas: Any, rf: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    device = TOTPDevice.objects.create(user=personas.evaluator, name="phone", confirmed=True)
    request = rf.get("/")
    request.session = SessionStore()
    request.user = personas.evaluator
    second_factor_verified(request, device)
    assert abs(request.session["nic1000_2fa_at"] - time.time()) < 5


def test_round_publication_and_settings_ask_for_a_fresh_code(personas: Any) -> None:
    from tests.rounds.factories import make_round

    rnd = make_round(acting_user=personas.program_office)
    TOTPDevice.objects.create(user=personas.program_office, name="phone", confirmed=True)
    c = Client()
    c.force_login(personas.program_office)  # no code entered in this session
    for method, url in (
        ("get", f"/rounds/{rnd.pk}/settings/"),
        ("post", f"/rounds/{rnd.pk}/publish/"),
        ("post", f"/rounds/{rnd.pk}/settings/bonus-items/"),
        ("post", "/accounts/two-factor/reset/"),
    ):
        r = getattr(c, method)(url, HTTP_REFERER=f"http://testserver/rounds/{rnd.pk}/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/two-factor/?next="), url
    rnd.refresh_from_db()
    assert rnd.state == "draft"
