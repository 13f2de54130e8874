"""When the programme office requires it, staff roles must pass TOTP before using the system."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from nic1000.core.models import ProgramSetting
from nic1000.core.roles import STAFF_ROLES

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "role", None) in STAFF_ROLES
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and not user.is_verified()  # added by django_otp's OTPMiddleware
            and ProgramSetting.current().require_staff_2fa
        ):
            return redirect("accounts:twofactor")
        return self.get_response(request)
