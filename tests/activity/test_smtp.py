"""One real SMTP conversation: Django's SMTP backend sends a notification's e-mail to an aiosmtpd server on
loopback, which receives it with the recipient's address and the subject in their language."""

from __future__ import annotations

import email
import socket
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils.translation import gettext_noop

from nic1000.activity.services import notify
from nic1000.activity.tasks import deliveries_send_task
from nic1000.core.models import NotificationDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "nic1000 <noreply@nic1000.example.kr>"
    try:
        yield inbox
    finally:
        controller.stop()


def test_a_notification_reaches_a_real_smtp_server(smtp_server: Inbox) -> None:
    user = UserFactory(username="kim", role="auditor", email="kim@example.kr", language="ko")
    notify(recipients=[user], kind="account", title=gettext_noop("Your password was changed"), link="/x/")
    delivery = NotificationDelivery.objects.get()
    assert deliveries_send_task.call(ids=[delivery.pk]) == {"sent": 1, "failed": 0, "skipped": 0}
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["kim@example.kr"]
    assert envelope.mail_from == "noreply@nic1000.example.kr"
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "비밀번호가 변경되었습니다"
    assert message["To"] == "kim@example.kr"
    delivery.refresh_from_db()
    assert delivery.status == NotificationDelivery.Status.SENT
