import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.services import program_setting_update, user_create
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_login_and_wrong_password(personas) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    r = c.post("/accounts/login/", {"username": "po", "password": "wrong"})
    assert r.status_code == 401
    assert "wrong" in r.content.decode() or "틀" in r.content.decode()
    r = c.post("/accounts/login/", {"username": "po", "password": PASSWORD})
    assert r.status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failed_logins_are_throttled_even_with_the_right_password(personas) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    for _ in range(2):
        assert c.post("/accounts/login/", {"username": "po", "password": "nope"}).status_code == 401
    # The failure that reaches the limit already answers that the account is locked.
    assert c.post("/accounts/login/", {"username": "po", "password": "nope"}).status_code == 429
    r = c.post("/accounts/login/", {"username": "po", "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in c.session
    assert AccessAttempt.objects.get(username="po").failures_since_start >= 3


def test_totp_enrolment_and_login_needs_the_code(personas) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(personas.evaluator)
    r = c.get("/accounts/two-factor/")
    assert r.status_code == 200
    device = TOTPDevice.objects.get(user=personas.evaluator, confirmed=False)
    r = c.post("/accounts/two-factor/", {"token": "000000" if _token(device) != "000000" else "111111"})
    assert r.status_code == 200  # re-rendered with the problem marked
    assert not TOTPDevice.objects.filter(user=personas.evaluator, confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a failure; skip the wait
    r = c.post("/accounts/two-factor/", {"token": _token(device)})
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="user.2fa_enrol").count() == 1

    fresh = Client()
    r = fresh.post("/accounts/login/", {"username": "eval1", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"].endswith("/accounts/login/otp/")
    assert "_auth_user_id" not in fresh.session  # not logged in before the code
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    r = fresh.post("/accounts/login/otp/", {"token": _token(device)})
    assert r.status_code == 302
    assert fresh.session["_auth_user_id"] == str(personas.evaluator.pk)


def test_programme_office_can_require_2fa_for_staff(personas) -> None:  # type: ignore[no-untyped-def]
    program_setting_update(require_staff_2fa=True, acting_user=personas.program_office)
    c = Client()
    c.force_login(personas.auditor)
    r = c.get("/audit/")
    assert r.status_code == 302 and r["Location"].endswith("/accounts/two-factor/")
    # Companies are not staff: not forced.
    c2 = Client()
    c2.force_login(personas.company_a)
    assert c2.get("/notifications/").status_code == 200


def test_user_create_validates_bindings_and_audits(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception):  # noqa: B017 - Django's ValidationError: officer without a ministry
        user_create(username="x", password=None, role="ministry_officer", acting_user=personas.program_office)
    with pytest.raises(ValidationFailed):
        user_create(username="y", password=None, role="wizard", acting_user=personas.program_office)
    u = user_create(
        username="new_mss",
        password=None,
        role="ministry_officer",
        body=personas.ministry_mss.body,
        acting_user=personas.program_office,
    )
    entry = AuditEntry.objects.get(action="user.create", object_id=str(u.pk))
    assert entry.actor_label == "po" and entry.changes["role"]["after"] == "ministry_officer"
