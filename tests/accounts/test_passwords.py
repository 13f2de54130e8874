"""Passwords people manage themselves: change, reset by an e-mailed link, a policy; audited and throttled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

from nic1000.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "a-new-long-passphrase-42"


def test_a_user_changes_their_password(personas: Any) -> None:
    c = Client()
    c.force_login(personas.evaluator)
    r = c.post("/accounts/password/", {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 200  # the old password is asked for
    r = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/done/"
    personas.evaluator.refresh_from_db()
    assert personas.evaluator.check_password(NEW)
    assert c.get("/notifications/").status_code == 200  # still signed in
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.actor_label == "eval1" and NEW not in str(entry.changes)


@pytest.mark.parametrize(
    "password",
    ["short1", "1234567890123", "password123", "x" * 129],
    ids=["too short", "numeric", "common", "too long"],
)
def test_the_password_policy_applies(personas: Any, password: str) -> None:
    c = Client()
    c.force_login(personas.evaluator)
    r = c.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert r.status_code == 200
    personas.evaluator.refresh_from_db()
    assert personas.evaluator.check_password(PASSWORD)


def _reset_link() -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_password_is_reset_by_an_emailed_one_time_link(personas: Any) -> None:
    personas.evaluator.email = "eval1@example.org"
    personas.evaluator.save()
    r = Client().post("/accounts/password/reset/", {"email": "EVAL1@example.org"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eval1@example.org"]
    link = _reset_link()

    c = Client()
    r = c.get(link)
    assert r.status_code == 302  # Django moves the token into the session
    form_url = r["Location"]
    r = c.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/done/"
    personas.evaluator.refresh_from_db()
    assert personas.evaluator.check_password(NEW)
    assert AuditEntry.objects.filter(
        action="user.password_reset", object_id=str(personas.evaluator.pk)
    ).exists()
    # The link works once.
    r = Client().get(link)
    assert (r.status_code == 200 and "not valid" in r.content.decode()) or "유효" in r.content.decode()
    assert Client().post("/accounts/login/", {"username": "eval1", "password": NEW}).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(personas: Any) -> None:
    r = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


@override_settings(PASSWORD_RESET_REQUESTS_PER_HOUR=3)
def test_reset_requests_are_throttled_per_address_and_per_email(personas: Any) -> None:
    personas.evaluator.email = "eval1@example.org"
    personas.evaluator.save()
    for _ in range(5):
        r = Client().post("/accounts/password/reset/", {"email": "eval1@example.org"}, REMOTE_ADDR="10.1.0.1")
        assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 3
    # One address asking about many e-mails is stopped too (4 × the limit).
    for i in range(12):
        Client().post("/accounts/password/reset/", {"email": f"x{i}@example.org"}, REMOTE_ADDR="10.1.0.2")
    personas.evaluator2.email = "eval2@example.org"
    personas.evaluator2.save()
    Client().post("/accounts/password/reset/", {"email": "eval2@example.org"}, REMOTE_ADDR="10.1.0.2")
    assert len(mail.outbox) == 3
