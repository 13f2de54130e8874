"""When the programme office requires it, staff roles must pass TOTP before using the system.

Every path a signed-in session reaches is covered, the API included (a session that has not entered its code
must not do through the API what the pages refuse). Only the pages that lead to verification are exempt.
Institution API calls authenticated by a token carry no session user, so they pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from nic1000.core.models import ProgramSetting
from nic1000.core.roles import STAFF_ROLES

_EXEMPT_PREFIXES = ("/static/", "/i18n/")
_EXEMPT_NAMES = ("accounts:login", "accounts:login_otp", "accounts:logout", "accounts:twofactor")


@cache
def _exempt_paths() -> frozenset[str]:
    """The pages that lead to verification (the URLconf does not change while the process runs)."""
    return frozenset(reverse(name) for name in _EXEMPT_NAMES)


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
            and request.path not in _exempt_paths()
            and not user.is_verified()  # added by django_otp's OTPMiddleware
            and ProgramSetting.current().require_staff_2fa
        ):
            if request.path.startswith("/api/"):
                message = _("Two-factor authentication is required: verify this session first.")
                # The API's error shape (core.schemas.ErrorOut).
                return JsonResponse(
                    {"error": {"code": "second_factor_required", "message": message, "details": []}},
                    status=403,
                )
            return redirect("accounts:twofactor")
        return self.get_response(request)
