from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.activity.delivery import deliveries_send_due


class Command(BaseCommand):
    help = (
        "Notification e-mail tools. `nic1000 mail send` sends every due e-mail now in this process (what the "
        "worker does in the background); `nic1000 mail test ADDRESS` sends one test message through "
        "EMAIL_BACKEND, to check the mail settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["send", "test"])
        parser.add_argument("address", nargs="?", default="", help="test: where to send the test message")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            sent = deliveries_send_due()
            self.stdout.write(f"sent {sent} e-mail(s); failed ones are retried later (see /outbox/)")
            return
        address = options["address"].strip()
        if not address:
            raise CommandError("give the address to send the test message to")
        try:
            send_mail(
                subject="nic1000 test message",
                message=f"A test message from nic1000 ({settings.NIC1000_SITE_URL}).",
                from_email=None,
                recipient_list=[address],
            )
        except Exception as exc:  # the operator wants the reason, not a traceback
            raise CommandError(f"could not send through {settings.EMAIL_BACKEND}: {exc}") from exc
        self.stdout.write(f"sent a test message to {address} through {settings.EMAIL_BACKEND}")
