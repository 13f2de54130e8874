"""Every answer under /api/ is JSON: `{"error": {"code", "message", "details": [...]}}` for every error.

The API's own handlers (nic1000.api) answer domain and validation errors in that shape; this middleware covers
what happens outside them: an unknown /api/ URL (Django's 404 page), a method the operation does not take
(django-ninja's plain 405), a body over the API's size limit (refused with 413 before anything reads it), and
any other error page a lower layer produces for an /api/ path (a 400 for a bad Host, a 500).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

API_PREFIX = "/api/"

# Status -> (code, message): the codes are stable, the messages are for people.
_KNOWN = {
    400: ("bad_request", gettext_noop("The request is malformed.")),
    401: ("unauthorized", gettext_noop("A valid token or session is required.")),
    403: ("forbidden", gettext_noop("You may not do this.")),
    404: ("not_found", gettext_noop("Not found.")),
    405: ("method_not_allowed", gettext_noop("This method is not allowed here.")),
    413: ("payload_too_large", gettext_noop("The request body is too large.")),
    429: ("rate_limited", gettext_noop("Too many requests.")),
    500: ("server_error", gettext_noop("Something went wrong on our side; the error has been logged.")),
}


def api_max_body_bytes() -> int:
    """The largest request body the API reads: `API_MAX_BODY_BYTES`, never above Django's own limit."""
    limit = int(getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024))
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(limit, int(django_limit)) if django_limit is not None else limit


def api_error_response(request: HttpRequest, status: int) -> HttpResponse:
    code, message = _KNOWN.get(status, ("http_error", ""))
    text = _(message) if message else str(status)
    if status == 413:
        text = _("The request body is too large: at most %(limit)s bytes.") % {"limit": api_max_body_bytes()}
    return JsonResponse({"error": {"code": code, "message": text, "details": []}}, status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if _content_length(request) > api_max_body_bytes():
            return api_error_response(request, 413)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            replacement = api_error_response(request, response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
