"""Request ids (echoed in X-Request-ID and logged) and no caching of what a signed-in user sees."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from nic1000.ops.logging import request_id_var, sane_request_id

Handler = Callable[[HttpRequest], HttpResponse]
access_log = logging.getLogger("nic1000.requests")


class RequestIdMiddleware:
    """Takes a sane X-Request-ID from the client or proxy (or makes one), logs it, echoes it back."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_var.get()  # set from the same header when the request started
        if request_id == "-":  # no request_started signal (a handler of our own in tests)
            request_id = sane_request_id(request.headers.get("X-Request-ID"))
            request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


class PrivateNoStoreMiddleware:
    """Pages and API answers for a signed-in user or a token holder are never stored by a browser or a shared cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "Authorization" in request.headers:  # API token holders too
            patch_cache_control(response, private=True, no_store=True)
        return response
