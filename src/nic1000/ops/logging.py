"""Request ids in every log line: the middleware sets a context variable, a logging filter copies it."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("nic1000_request_id", default="-")

# An incoming X-Request-ID is honoured only when it is a plain token (what proxies and load balancers send);
# anything else (too long, spaces, control characters) is replaced so it cannot forge or break log lines.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def sane_request_id(raw: str | None) -> str:
    """The incoming id when it is a sane token, else a fresh one."""
    if raw and _SANE_REQUEST_ID.match(raw):
        return raw
    return uuid.uuid4().hex


def request_started(sender: object, environ: dict[str, str] | None = None, **kwargs: object) -> None:
    """Set the id as the request starts (signal), so Django's own request log lines, written after the
    middleware has returned, carry it too."""
    request_id_var.set(sane_request_id((environ or {}).get("HTTP_X_REQUEST_ID")))


def request_finished(sender: object, **kwargs: object) -> None:
    request_id_var.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
