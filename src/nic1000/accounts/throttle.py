"""Login throttling with django-axes: the pieces our settings point it at.

django-axes counts failures in its database table (every worker sees the same counts; each failure is one
row-locked increment). We count per account *and* client address, so failures from an office NAT for one user
do not lock out a colleague with the right password; a per-account total over all addresses
(LOGIN_ACCOUNT_FAILURE_LIMIT) stops a guess spread over many addresses. A lock lasts
LOGIN_FAILURE_WINDOW_SECONDS after the last failure. `account_attempt_lock` serialises attempts on one
account, so parallel guesses are checked one after another and no more than the limit are ever tried.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from nic1000.accounts.models import User


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    return int(settings.LOGIN_FAILURE_LIMIT)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address the
    outermost trusted proxy saw (X-Forwarded-For is appended to by each proxy; entries further left are
    whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(settings.TRUSTED_PROXY_COUNT)
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < proxies:
        return remote  # not through all the proxies: the direct peer is the best we know
    return str(forwarded[-proxies])


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes is untyped
    """Axes' database handler, with a per-account total over all addresses on top of account + address."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self._account_total_reached(request, credentials)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes marks the request locked out by its own parameters only; the account's total counts too.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and self._account_total_reached(request, credentials)
        ):
            request.axes_locked_out = True  # type: ignore[attr-defined]

    def _account_total_reached(self, request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        since = (getattr(request, "axes_attempt_time", None) or timezone.now()) - cool_off(request)
        total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        return (total or 0) >= int(settings.LOGIN_ACCOUNT_FAILURE_LIMIT)


def account_attempt_lock(username: str) -> None:
    """Inside a transaction: wait for other login attempts on this account to finish (a row lock on the user;
    SQLite's write lock is taken when the transaction begins). Unknown names lock nothing: no password to
    guess."""
    list(User.objects.select_for_update().filter(username=username).values_list("pk", flat=True))


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    """Axes' backend (first in AUTHENTICATION_BACKENDS), refusing a locked-out login before the password is
    checked. A call without a request (a script, the test client's `login`) has no client to throttle: it
    passes to the next backend instead of failing as Axes' own does. Every login page passes its request."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None
