"""Throttling failed logins across processes (the table is shared by every worker)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from nic1000.accounts.models import LoginFailure


def login_is_throttled(*, username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username__iexact=username).count()
    by_ip = recent.filter(ip=ip).count() if ip else 0
    # An address gets more room than one username: a shared office NAT has many users.
    return by_user >= settings.LOGIN_FAILURE_LIMIT or by_ip >= settings.LOGIN_FAILURE_LIMIT * 4


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip, at=timezone.now())
    # Keep the table small: old failures no longer count.
    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS * 4)
    LoginFailure.objects.filter(Q(at__lt=cutoff)).delete()


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
