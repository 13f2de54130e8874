"""E-mail delivery of notifications: which channels each recipient gets, one delivery row per notification and
channel, and sending them reliably.

`notify()` asks `recipient_channels` which channels each recipient gets (their preferences, mandatory kinds,
whether they have an address) and `deliveries_create` writes the e-mail rows; `activity.tasks` enqueues their
sending once the transaction commits, one task per batch.

Sending (`deliveries_send`) claims each row with one conditional UPDATE (status queued, failed or a lapsed
sending, and due), so two workers, or a task and the hourly sweep, never send a message twice. The message is
worded in the recipient's language. A failure counts an attempt and schedules the next one after a growing
delay (`NIC1000_EMAIL_RETRY_MINUTES`); after `NIC1000_EMAIL_MAX_ATTEMPTS` it stays failed until the programme
office retries it from the outbox. A worker that dies mid-send leaves the row "sending" with a lapsing claim
(`CLAIM`): it is tried again after that (so a message may, rarely, arrive twice; never lost)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from nic1000.activity.kinds import KINDS, Kind
from nic1000.core.models import Notification, NotificationDelivery, NotificationPreference

log = logging.getLogger("nic1000.mail")
Status = NotificationDelivery.Status
# Rows a sender may claim when due: new, failed with a retry scheduled, or sending with a lapsed claim.
CLAIMABLE = (Status.QUEUED, Status.FAILED, Status.SENDING)
# How long a claim holds: a worker that has not finished by then is taken for dead.
CLAIM = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: str  # the address to send to; "" for no e-mail
    language: str


def recipient_channels(*, user_ids: Sequence[Any], kind: Kind) -> dict[Any, Channels]:
    """Each recipient's channels for `kind` (two queries): no preference row means every channel on; a
    mandatory kind ignores the preferences; e-mail needs an address."""
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind.key).only(
            "user_id", "in_app", "email"
        )
    }
    out: dict[Any, Channels] = {}
    users = get_user_model()._default_manager.filter(pk__in=user_ids)
    for pk, email, language in users.values_list("pk", "email", "language"):
        pref = None if kind.mandatory else prefs.get(pk)
        in_app = pref is None or pref.in_app
        wants_email = pref is None or pref.email
        out[pk] = Channels(
            in_app=in_app,
            email=(email or "").strip() if wants_email else "",
            language=language or settings.LANGUAGE_CODE,
        )
    return out


def deliveries_create(
    *, notifications: Iterable[Notification], channels: dict[Any, Channels], now: dt.datetime
) -> list[int]:
    """One queued e-mail delivery per notification whose recipient gets e-mail; their ids."""
    rows = [
        NotificationDelivery(
            notification_id=n.pk,
            channel=NotificationDelivery.Channel.EMAIL,
            to_address=channels[n.recipient_id].email,
            language=channels[n.recipient_id].language,
            status=Status.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
        for n in notifications
        if n.recipient_id in channels and channels[n.recipient_id].email
    ]
    if not rows:
        return []
    # A notification read back above may be an older one written at the same instant (a simulated clock, the
    # same dedupe key): its delivery exists, the unique (notification, channel) keeps it one, so skip it.
    created = NotificationDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    ids = [d.pk for d in created if d.pk is not None]
    if len(ids) < len(
        rows
    ):  # ids not returned (ignored conflicts, or a database that does not): read them back
        ids = list(
            NotificationDelivery.objects.filter(
                notification_id__in=[r.notification_id for r in rows], created_at=now
            ).values_list("pk", flat=True)
        )
    return ids


# --- sending -------------------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    # The earliest time one of the rows asked about is due again (a retry, a lapsing claim), or None.
    next_due: dt.datetime | None = None
    pending: list[int] | None = None


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed send: 1, 5, 30 minutes, 2 h, 12 h, then 12 h again."""
    minutes: list[int] = list(settings.NIC1000_EMAIL_RETRY_MINUTES)
    return dt.timedelta(minutes=minutes[min(max(attempts, 1), len(minutes)) - 1])


def _claim(pk: int, now: dt.datetime) -> NotificationDelivery | None:
    """Take the row for this sender, or None when it is not due or someone else has it."""
    won = NotificationDelivery.objects.filter(pk=pk, status__in=CLAIMABLE, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + CLAIM
    )
    if not won:
        return None
    return NotificationDelivery.objects.select_related("notification__recipient").get(pk=pk)


def _absolute(link: str) -> str:
    return urljoin(str(settings.NIC1000_SITE_URL).rstrip("/") + "/", link) if link else ""


def delivery_message(delivery: NotificationDelivery, connection: Any = None) -> EmailMultiAlternatives:
    """The e-mail of one delivery, worded in the recipient's language."""
    n = delivery.notification
    with translation.override(delivery.language):
        title = " ".join(n.title_text.split())  # a subject is one line
        context = {
            "title": title,
            "body": n.body_text,
            "link": _absolute(n.link),
            "settings_link": _absolute(reverse("activity:notification_settings")),
            "recipient": n.recipient,
        }
        text = render_to_string("core/email/notification.txt", context)
        html = render_to_string("core/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=title,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _finish(delivery: NotificationDelivery, **fields: Any) -> None:
    """Record the outcome, unless the claim lapsed and another sender took the row meanwhile."""
    NotificationDelivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts
    ).update(**fields)


def _send_one(delivery: NotificationDelivery, connection: Any, now: dt.datetime, result: SendResult) -> None:
    notification = delivery.notification
    declared = KINDS.get(notification.kind)
    if not notification.recipient.is_active and not (declared and declared.mandatory):
        # Deactivated since: only security notices still go out (a deactivation is one).
        _finish(delivery, status=Status.SKIPPED, next_attempt_at=None, last_error="recipient inactive")
        result.skipped += 1
        return
    try:
        delivery_message(delivery, connection).send()
    except Exception as exc:  # any failure of the mail system: count it, retry later, keep the error
        with contextlib.suppress(Exception):  # closing a broken connection may fail too
            connection.close()  # the next message opens a fresh connection
        final = delivery.attempts >= int(settings.NIC1000_EMAIL_MAX_ATTEMPTS)
        log.warning("e-mail delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        _finish(
            delivery,
            status=Status.FAILED,
            next_attempt_at=None if final else now + retry_delay(delivery.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        result.failed += 1
        return
    _finish(delivery, status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None)
    result.sent += 1


def deliveries_send(*, ids: Sequence[int], now: dt.datetime | None = None) -> SendResult:
    """Send those of `ids` that are due and unclaimed (one SMTP connection for all of them); the result says
    when the rest are due again, for the task to come back then."""
    now = now or timezone.now()
    result = SendResult()
    connection = get_connection()
    try:
        for pk in ids:
            delivery = _claim(pk, now)
            if delivery is not None:
                _send_one(delivery, connection, now, result)
    finally:
        with contextlib.suppress(Exception):  # a broken connection is already counted as failures
            connection.close()
    pending = NotificationDelivery.objects.filter(
        pk__in=ids, status__in=CLAIMABLE, next_attempt_at__isnull=False
    )
    result.next_due = pending.aggregate(at=Min("next_attempt_at"))["at"]
    result.pending = list(pending.values_list("pk", flat=True)) if result.next_due else []
    return result


def deliveries_due_ids(*, now: dt.datetime, limit: int | None = None) -> list[int]:
    """Deliveries due for a send (new, retry time reached, lapsed claims), oldest first."""
    qs = NotificationDelivery.objects.filter(status__in=CLAIMABLE, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    ids = qs.values_list("pk", flat=True)
    return list(ids[:limit] if limit else ids)


def deliveries_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every due delivery now, in this process (tests and the command line; the worker uses tasks);
    how many were sent."""
    now = now or timezone.now()
    batch = int(settings.NIC1000_EMAIL_BATCH)
    sent = 0
    ids = deliveries_due_ids(now=now)
    for start in range(0, len(ids), batch):
        sent += deliveries_send(ids=ids[start : start + batch], now=now).sent
    return sent
