"""E-mail backends for the delivery tests: one whose server is down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """The mail server refuses every connection."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")
