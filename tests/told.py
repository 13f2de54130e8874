"""How tests check that people were told: `assert_told(user, kind)` finds the user's notification of that kind
and, when the user has an e-mail address and e-mail on for that kind, its e-mail: a delivery row exists, and
sending what is due (in this process: on-commit callbacks never run inside a test's transaction) puts a message
to that address in `django.core.mail.outbox`. Every workflow-event test uses it, so the check is one place."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail

from nic1000.activity.delivery import deliveries_send_due
from nic1000.activity.kinds import kind as declared_kind
from nic1000.core.models import Notification, NotificationDelivery, NotificationPreference


def told(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient_id=user.pk, kind=kind).order_by("id"))


def _address(user: Any) -> str:
    """The user's e-mail address as stored now (the test's object may be stale)."""
    email = get_user_model().objects.filter(pk=user.pk).values_list("email", flat=True).first()
    return (email or "").strip()


def wants_email(user: Any, kind: str) -> bool:
    """The user has an address and has not switched e-mail off for `kind` (a mandatory kind cannot be)."""
    if not _address(user):
        return False
    if declared_kind(kind).mandatory:
        return True
    pref = NotificationPreference.objects.filter(user_id=user.pk, kind=kind).first()
    return pref is None or pref.email


def assert_emailed(user: Any, note: Notification) -> NotificationDelivery:
    """The notification's e-mail delivery exists and, once the due e-mails are sent, was sent to the user."""
    delivery = NotificationDelivery.objects.filter(notification=note, channel="email").first()
    assert delivery is not None, f"{user} has an e-mail address but {note.kind} created no e-mail delivery"
    address = _address(user)
    assert delivery.to_address == address, (delivery.to_address, address)
    if delivery.status != NotificationDelivery.Status.SENT:
        deliveries_send_due()
        delivery.refresh_from_db()
    assert delivery.status == NotificationDelivery.Status.SENT, (
        f"the e-mail of {note.kind} to {user} is {delivery.status}: {delivery.last_error}"
    )
    outbox = getattr(mail, "outbox", [])
    assert any(address in m.to for m in outbox), (
        f"no message to {address} in mail.outbox: {[(m.to, m.subject) for m in outbox]}"
    )
    return delivery


def assert_told(user: Any, kind: str, **params: Any) -> Notification:
    """The newest notification of `kind` to `user` whose params include `params` (and its e-mail, when the
    user gets e-mail for that kind); fails naming what was sent."""
    found = [n for n in told(user, kind) if all((n.params or {}).get(k) == v for k, v in params.items())]
    assert found, (
        f"{user} was not told {kind} {params or ''}; they have: "
        f"{[(n.kind, n.params) for n in Notification.objects.filter(recipient_id=user.pk)]}"
    )
    note = found[-1]
    if wants_email(user, kind):
        assert_emailed(user, note)
    return note


def assert_not_told(user: Any, kind: str) -> None:
    assert not told(user, kind), f"{user} was told {kind}"
