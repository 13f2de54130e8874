"""The notification settings page (every signed-in role) and the programme office's outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from nic1000.activity.delivery import deliveries_send_due
from nic1000.activity.outbox import deliveries_retry
from nic1000.activity.preferences import notification_settings_save
from nic1000.activity.services import notify
from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import NotificationDelivery, NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status
DOWN = "tests.activity.mailers.DownBackend"


@pytest.fixture
def english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _tell(users: list[Any], kind: str = "inspection") -> None:
    notify(recipients=users, kind=kind, title=gettext_noop("Your password was changed"), link="/x/")


# --- settings ----------------------------------------------------------------------------------------------


def test_the_settings_page_groups_kinds_and_saves_them(personas: Any, english: Any) -> None:
    user = personas.company_a
    c = _client(user)
    html = c.get("/notifications/settings/").content.decode()
    assert "Policy finance" in html and "Finance approved" in html
    assert 'id="email-account"' not in html and 'data-testid="always"' in html  # mandatory: listed, no box
    assert "/notifications/settings/" in c.get("/notifications/").content.decode()  # linked from the list
    response = c.post(
        "/notifications/settings/",
        {"language": "en", "in_app": ["inspection", "finance.approved"], "email": ["finance.approved"]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    prefs = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}
    assert prefs["inspection"] == (True, False)
    assert prefs["finance.declined"] == (False, False)
    assert "finance.approved" not in prefs and "account" not in prefs  # both on / mandatory: no row
    entry = AuditEntry.objects.get(action="user.notification_settings")
    assert entry.changes["language"] == {"before": "ko", "after": "en"}
    assert entry.changes["inspection"]["after"] == {"in_app": True, "email": False}
    page = c.get("/notifications/settings/").content.decode()
    assert 'id="email-inspection" name="email" value="inspection">' in page  # shown unticked


def test_a_bad_language_re_renders_the_form_and_changes_nothing(personas: Any, english: Any) -> None:
    c = _client(personas.evaluator)
    response = c.post("/notifications/settings/", {"language": "xx", "in_app": [], "email": []})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()
    assert not AuditEntry.objects.filter(action="user.notification_settings").exists()


def test_the_service_refuses_unknown_kinds_and_languages(personas: Any) -> None:
    user = personas.evaluator
    with pytest.raises(ValidationFailed) as e:
        notification_settings_save(acting_user=user, language="ko", in_app=["nope"], email=[])
    assert e.value.code == "unknown_kind"
    with pytest.raises(ValidationFailed) as e:
        notification_settings_save(acting_user=user, language="fr", in_app=[], email=[])
    assert e.value.code == "unknown_language"
    assert not NotificationPreference.objects.exists()


def test_saving_nothing_new_writes_no_audit_row(personas: Any) -> None:
    from nic1000.activity.kinds import KINDS

    every = list(KINDS)
    changes = notification_settings_save(
        acting_user=personas.auditor, language="ko", in_app=every, email=every
    )
    assert changes == {}
    assert not AuditEntry.objects.filter(action="user.notification_settings").exists()


# --- outbox ------------------------------------------------------------------------------------------------


def _users(n: int, tag: str) -> list[Any]:
    return [UserFactory(username=f"{tag}{i}", role="auditor", email=f"{tag}{i}@example.kr") for i in range(n)]


def _queries(c: Client, url: str) -> int:
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_outbox_lists_deliveries_with_counts_and_errors(
    personas: Any, english: Any, settings: Any
) -> None:
    c = _client(personas.program_office)
    _tell(_users(2, "a"))
    deliveries_send_due()
    few = _queries(c, "/outbox/")
    settings.EMAIL_BACKEND = DOWN
    _tell(_users(6, "b"), kind="finance.approved")
    deliveries_send_due()
    assert _queries(c, "/outbox/") == few
    html = c.get("/outbox/").content.decode()
    assert 'data-testid="count-failed">6<' in html and 'data-testid="count-sent">2<' in html
    assert "ConnectionRefusedError" in html and "Finance approved" in html
    assert "Your password was changed" in html
    failed = c.get("/outbox/?status=failed").content.decode()
    assert failed.count('data-testid="delivery-') == 6
    inspection = c.get("/outbox/?kind=inspection").content.decode()
    assert inspection.count('data-testid="delivery-') == 2


def test_the_office_sends_one_or_every_failed_email_again(personas: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = DOWN
    settings.NIC1000_EMAIL_MAX_ATTEMPTS = 1
    _tell(_users(3, "a"))
    deliveries_send_due()
    assert set(NotificationDelivery.objects.values_list("next_attempt_at", flat=True)) == {None}  # final
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    c = _client(personas.program_office)
    assert c.get("/outbox/?status=failed").content.decode().count('data-testid="final"') == 3
    one = NotificationDelivery.objects.order_by("pk").first()
    assert one is not None
    assert c.post("/outbox/retry/", {"delivery": one.pk}).status_code == 302
    one.refresh_from_db()
    assert one.status == Status.QUEUED
    assert AuditEntry.objects.filter(action="notification_delivery.retry", object_id=str(one.pk)).exists()
    assert c.post("/outbox/retry/").status_code == 302
    assert NotificationDelivery.objects.filter(status=Status.QUEUED).count() == 3
    assert AuditEntry.objects.get(action="notification_delivery.retry_all").changes["count"] == 2
    assert deliveries_send_due() == 3
    assert len(mail.outbox) == 3


def test_retry_refuses_what_has_not_failed_and_other_roles(personas: Any) -> None:
    _tell(_users(1, "a"))
    queued = NotificationDelivery.objects.get()
    with pytest.raises(Conflict):
        deliveries_retry(acting_user=personas.program_office, delivery_id=queued.pk)
    with pytest.raises(Forbidden):
        deliveries_retry(acting_user=personas.auditor)
    assert deliveries_retry(acting_user=personas.program_office) == 0
    c = _client(personas.program_office)
    response = c.post("/outbox/retry/", {"delivery": "abc"}, follow=True)
    assert response.status_code == 200
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and queued.next_attempt_at is not None
    assert queued.next_attempt_at <= timezone.now() + dt.timedelta(seconds=1)
