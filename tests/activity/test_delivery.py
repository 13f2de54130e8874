"""Every notification also goes out by e-mail: in the recipient's language, as their preferences say, once,
only after the transaction commits, and again after a failure until it is sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks_db.models import DBTaskResult

from nic1000.activity import delivery as d
from nic1000.activity.services import notify
from nic1000.activity.tasks import deliveries_send_task, deliveries_sweep_due
from nic1000.core.models import Notification, NotificationDelivery, NotificationPreference
from nic1000.core.schedule import jobs
from tests.factories import UserFactory
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db
DOWN = "tests.activity.mailers.DownBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
Status = NotificationDelivery.Status


def _user(name: str, *, email: str = "", language: str = "ko", **extra: Any) -> Any:
    return UserFactory(username=name, role="auditor", email=email, language=language, **extra)


def _tell(users: list[Any], *, kind: str = "account", link: str = "/accounts/password/reset/") -> int:
    return notify(
        recipients=users,
        kind=kind,
        title=gettext_noop("Your password was changed"),
        body=gettext_noop("If you did not change it, reset it now and tell the programme office."),
        link=link,
    )


def test_a_notification_is_emailed_with_an_absolute_link(settings: Any) -> None:
    settings.NIC1000_SITE_URL = "https://nic1000.example.kr"
    u = _user("kim", email="kim@example.kr")
    assert _tell([u]) == 1
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.to_address, delivery.language) == (
        Status.QUEUED,
        "kim@example.kr",
        "ko",
    )
    assert d.deliveries_send_due() == 1
    [message] = mail.outbox
    assert message.to == ["kim@example.kr"]
    assert "https://nic1000.example.kr/accounts/password/reset/" in message.body
    assert "https://nic1000.example.kr/notifications/settings/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and 'href="https://nic1000.example.kr/accounts/password/reset/"' in html
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.sent_at is not None and delivery.attempts == 1
    assert_told(u, "account")  # the helper checks the e-mail too


def test_each_recipient_reads_it_in_their_own_language() -> None:
    ko = _user("kim", email="kim@example.kr", language="ko")
    en = _user("smith", email="smith@example.org", language="en")
    _tell([ko, en])
    d.deliveries_send_due()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        "kim@example.kr": "비밀번호가 변경되었습니다",
        "smith@example.org": "Your password was changed",
    }
    korean = next(m for m in mail.outbox if m.to == ["kim@example.kr"])
    assert korean.body.startswith("비밀번호가 변경되었습니다")
    assert '<html lang="ko">' in korean.alternatives[0][0]


def test_no_address_no_email_but_told_in_the_app() -> None:
    u = _user("noaddr")
    _tell([u])
    assert not NotificationDelivery.objects.exists()
    assert_told(u, "account")


def test_email_switched_off_sends_none_and_in_app_off_hides_it_from_the_list() -> None:
    off = _user("off", email="off@example.kr")
    quiet = _user("quiet", email="quiet@example.kr")
    silent = _user("silent", email="silent@example.kr")
    NotificationPreference.objects.create(user=off, kind="inspection", in_app=True, email=False)
    NotificationPreference.objects.create(user=quiet, kind="inspection", in_app=False, email=True)
    NotificationPreference.objects.create(user=silent, kind="inspection", in_app=False, email=False)
    assert _tell([off, quiet, silent], kind="inspection") == 2
    assert_told(off, "inspection")
    assert not NotificationDelivery.objects.filter(notification__recipient=off).exists()
    hidden = assert_told(quiet, "inspection")  # e-mailed (the helper sends it)
    assert hidden.in_app is False
    assert [m.to for m in mail.outbox] == [["quiet@example.kr"]]
    assert_not_told(silent, "inspection")


def test_a_mandatory_kind_reaches_the_user_whatever_they_chose() -> None:
    u = _user("kim", email="kim@example.kr")
    NotificationPreference.objects.create(user=u, kind="account", in_app=False, email=False)
    _tell([u], kind="account")
    note = assert_told(u, "account")
    assert note.in_app is True
    assert NotificationDelivery.objects.filter(notification=note, status=Status.SENT).exists()


def test_a_deactivated_user_gets_security_notices_only() -> None:
    u = _user("gone", email="gone@example.kr", is_active=False)
    _tell([u], kind="account")
    _tell([u], kind="inspection")
    d.deliveries_send_due()
    statuses = dict(NotificationDelivery.objects.values_list("notification__kind", "status"))
    assert statuses == {"account": Status.SENT, "inspection": Status.SKIPPED}


def test_never_sent_twice_by_two_senders() -> None:
    u = _user("kim", email="kim@example.kr")
    _tell([u])
    delivery = NotificationDelivery.objects.get()
    now = timezone.now()
    assert d._claim(delivery.pk, now) is not None
    assert d._claim(delivery.pk, now) is None  # the second worker finds it taken
    NotificationDelivery.objects.filter(pk=delivery.pk).update(status=Status.QUEUED, next_attempt_at=now)
    first = d.deliveries_send(ids=[delivery.pk])
    second = d.deliveries_send(ids=[delivery.pk])
    deliveries_send_task.call(ids=[delivery.pk])
    assert (first.sent, second.sent) == (1, 0)
    assert len(mail.outbox) == 1
    assert NotificationDelivery.objects.get().attempts == 2  # the first claim and the send


def test_a_lapsed_claim_is_taken_again() -> None:
    """A worker died mid-send: after the claim lapses another sender takes the row."""
    u = _user("kim", email="kim@example.kr")
    _tell([u])
    delivery = NotificationDelivery.objects.get()
    now = timezone.now()
    assert d._claim(delivery.pk, now) is not None
    assert d.deliveries_send_due(now=now + dt.timedelta(minutes=5)) == 0
    assert d.deliveries_send_due(now=now + d.CLAIM + dt.timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    u = _user("kim", email="kim@example.kr")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _tell([u])
        raise RuntimeError("the service failed after notifying")
    assert callbacks == []
    assert not Notification.objects.exists() and not NotificationDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_a_committed_notification_enqueues_one_task_per_batch(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NIC1000_EMAIL_BATCH = 2
    users = [_user(f"u{i}", email=f"u{i}@example.kr") for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        _tell(users)
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.task_path for t in tasks] == ["nic1000.activity.tasks.deliveries_send_task"] * 3
    queued = sorted(i for t in tasks for i in t.args_kwargs["kwargs"]["ids"])
    assert queued == sorted(NotificationDelivery.objects.values_list("pk", flat=True))
    assert mail.outbox == []  # sent by the worker, not by the request
    deliveries_send_task.call(ids=queued)
    assert len(mail.outbox) == 5


def test_notifying_one_by_one_in_a_transaction_still_enqueues_per_batch(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NIC1000_EMAIL_BATCH = 100
    users = [_user(f"u{i}", email=f"u{i}@example.kr") for i in range(6)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for u in users[:3]:  # company by company, as a chase does
            _tell([u])
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back: its rows are gone
            _tell([users[3]])
            raise RuntimeError("one company failed")
        for u in users[4:]:
            _tell([u])
    [task] = DBTaskResult.objects.all()
    # Every delivery is in the one task (on PostgreSQL the rolled-back row's id may be there too: the sequence
    # does not roll back; the sender finds nothing under it).
    assert set(NotificationDelivery.objects.values_list("pk", flat=True)) <= set(
        task.args_kwargs["kwargs"]["ids"]
    )
    assert NotificationDelivery.objects.count() == 5


def test_a_notification_after_a_rolled_back_one_is_still_enqueued(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second = _user("a", email="a@example.kr"), _user("b", email="b@example.kr")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _tell([first])  # its callback goes with the savepoint
            raise RuntimeError("rolled back")
        _tell([second])
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs["kwargs"]["ids"] == list(
        NotificationDelivery.objects.values_list("pk", flat=True)
    )
    assert NotificationDelivery.objects.get().to_address == "b@example.kr"


def test_bulk_notify_queries_do_not_grow_with_recipients(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NIC1000_EMAIL_BATCH = 50

    def queries(n: int, tag: str) -> int:
        users = [_user(f"{tag}{i}", email=f"{tag}{i}@example.kr") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            _tell(users)
        return len(ctx.captured_queries)

    few = queries(3, "a")
    many = queries(40, "b")
    assert many == few
    assert NotificationDelivery.objects.count() == 43


def test_a_mail_server_down_retries_with_backoff_and_sends_once_when_back(settings: Any) -> None:
    settings.EMAIL_BACKEND = DOWN
    u = _user("kim", email="kim@example.kr")
    _tell([u])
    now = timezone.now()
    assert d.deliveries_send_due(now=now) == 0
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)
    # Not due yet: nothing is tried.
    assert d.deliveries_send_due(now=now + dt.timedelta(seconds=30)) == 0
    assert NotificationDelivery.objects.get().attempts == 1
    # Second failure: the wait grows.
    d.deliveries_send_due(now=now + dt.timedelta(minutes=2))
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=2) + dt.timedelta(minutes=5)
    # The server is back: sent exactly once, however often the senders run.
    settings.EMAIL_BACKEND = LOCMEM
    later = now + dt.timedelta(minutes=8)
    assert d.deliveries_send_due(now=later) == 1
    assert d.deliveries_send_due(now=later + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.SENT, 3, None)


def test_after_the_last_attempt_it_stays_failed(settings: Any) -> None:
    settings.EMAIL_BACKEND = DOWN
    settings.NIC1000_EMAIL_MAX_ATTEMPTS = 3
    _tell([_user("kim", email="kim@example.kr")])
    now = timezone.now()
    for day in range(5):
        d.deliveries_send_due(now=now + dt.timedelta(days=day))
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 3, None)
    settings.EMAIL_BACKEND = LOCMEM
    assert d.deliveries_send_due(now=now + dt.timedelta(days=30)) == 0  # only the office sends it again


def test_retry_delays_follow_the_setting(settings: Any) -> None:
    settings.NIC1000_EMAIL_RETRY_MINUTES = [1, 5, 30, 120, 720]
    assert [d.retry_delay(n).total_seconds() / 60 for n in range(1, 8)] == [1, 5, 30, 120, 720, 720, 720]


def test_the_task_comes_back_by_itself_for_a_retry(settings: Any) -> None:
    settings.EMAIL_BACKEND = DOWN
    _tell([_user("kim", email="kim@example.kr")])
    delivery = NotificationDelivery.objects.get()
    assert deliveries_send_task.call(ids=[delivery.pk]) == {"sent": 0, "failed": 1, "skipped": 0}
    delivery.refresh_from_db()
    [again] = DBTaskResult.objects.all()
    assert again.args_kwargs["kwargs"]["ids"] == [delivery.pk]
    assert again.run_after == delivery.next_attempt_at


def test_the_hourly_sweep_enqueues_what_is_due() -> None:
    assert "activity.email_sweep" in {j.name for j in jobs() if j.period == "hourly"}
    _tell([_user("kim", email="kim@example.kr"), _user("lee", email="lee@example.kr")])
    assert deliveries_sweep_due(now=timezone.now()) == 2
    [task] = DBTaskResult.objects.all()
    assert sorted(task.args_kwargs["kwargs"]["ids"]) == sorted(
        NotificationDelivery.objects.values_list("pk", flat=True)
    )


def test_a_dedupe_key_sends_one_email() -> None:
    u = _user("kim", email="kim@example.kr")
    for _ in range(3):
        notify(
            recipients=[u], kind="inspection", title=gettext_noop("Your password was changed"), dedupe_key="k"
        )
    assert Notification.objects.count() == 1
    assert NotificationDelivery.objects.count() == 1


def test_the_mail_command_sends_what_is_due_and_a_test_message(settings: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    _tell([_user("kim", email="kim@example.kr")])
    out = StringIO()
    call_command("mail", "send", stdout=out)
    assert "sent 1 e-mail" in out.getvalue()
    call_command("mail", "test", "ops@example.kr", stdout=out)
    assert [m.to for m in mail.outbox] == [["kim@example.kr"], ["ops@example.kr"]]
    settings.EMAIL_BACKEND = DOWN
    with pytest.raises(CommandError, match="Connection refused"):
        call_command("mail", "test", "ops@example.kr")


def test_notices_at_the_same_instant_each_get_their_one_email(monkeypatch: Any) -> None:
    """Under a frozen clock (the demo's simulated one) two notices of one kind to one user at the same instant,
    with and without a dedupe key, each get one e-mail and nothing fails on the one-per-channel rule."""
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    u = _user("same_instant", email="same@example.kr")
    _tell([u])
    _tell([u])
    for key in ("assigned-1", "assigned-2", "assigned-1"):
        notify(
            recipients=[u],
            kind="round.assigned",
            title=gettext_noop("Your password was changed"),
            dedupe_key=key,
        )
    assert Notification.objects.filter(recipient=u).count() == 4
    assert NotificationDelivery.objects.filter(notification__recipient=u).count() == 4
