"""The second factor on pages: marking a session verified, and asking again before sensitive actions.

`recent_second_factor_required` guards pages that change who may do what or what the public sees (programme
settings, API tokens, round publication and settings, second-factor resets): a user with an authenticator, or
any staff user while the programme requires one, must have entered a code within SECOND_FACTOR_RECENT_SECONDS;
otherwise they are sent to the verification page and brought back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode, urlparse

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.core.models import ProgramSetting
from nic1000.core.roles import STAFF_ROLES

F = TypeVar("F", bound=Callable[..., HttpResponse])
_VERIFIED_AT = "nic1000_2fa_at"


def second_factor_verified(request: HttpRequest, device: Device) -> None:
    """This session has just proved `device` (django-otp's login plus the time, for recency)."""
    otp_login(request, device)
    request.session[_VERIFIED_AT] = int(time.time())


def enrolment_context(config_url: str) -> dict[str, str]:
    """What an enrolment page shows of an authenticator not yet confirmed: its QR code and its secret (never
    once it is confirmed)."""
    return {
        "qr_svg": segno.make(config_url, error="m").svg_inline(scale=4),
        "secret": config_url.split("secret=")[1].split("&")[0],
    }


def session_is_verified(request: HttpRequest) -> bool:
    """This session has entered a code (django-otp's OTPMiddleware adds `is_verified` to the user)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_is_recent(request: HttpRequest) -> bool:
    at = request.session.get(_VERIFIED_AT)
    return bool(
        session_is_verified(request)
        and at is not None
        and time.time() - at <= settings.SECOND_FACTOR_RECENT_SECONDS
    )


def _second_factor_applies(user: Any) -> bool:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return True
    return getattr(user, "role", None) in STAFF_ROLES and ProgramSetting.current().require_staff_2fa


def recent_second_factor_required(view: F) -> F:
    """Put below `role_required` (the role is checked first)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and _second_factor_applies(user) and not second_factor_is_recent(request):
            # After a GET, back to the page; after a POST (the form is lost), back to the page that sent it.
            nxt = (
                request.get_full_path()
                if request.method == "GET"
                else urlparse(request.headers.get("Referer", "")).path
            )
            return redirect(f"{reverse('accounts:twofactor')}?{urlencode({'next': nxt})}")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
