"""The JSON API (django-ninja): /api/v1/..., schema at /api/openapi.json.

The apps with an API (rounds, finance) expose `router` and `ROUTER_PREFIX` in their `apis.py`; domain errors become 4xx answers with
one machine-readable body shape: {"error": {"code", "message", "details": [...]}}.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from nic1000.core.errors import ApplicationError
from nic1000.core.middleware import api_error_response
from nic1000.finance import apis as finance_apis
from nic1000.rounds import apis as rounds_apis

api = NinjaAPI(
    title="nic1000 API",
    version="1",
    description=(
        "National Innovation Company 1000: the published selections (public) and the policy financial "
        "institutions' interface (per-institution tokens). Errors share one body: "
        '`{"error": {"code": ..., "message": ..., "details": [...]}}`.'
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI from the installed package (ninja in INSTALLED_APPS; templates/ninja/swagger.html), never a
    # CDN: the docs work offline and under the Content-Security-Policy. No validator badge (an outside host).
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, details: list[Any] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", [])),
            "message": e.get("msg", ""),
            "code": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return _error(request, 422, "validation_failed", _("The request is not valid."), details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", _("A valid token or session is required."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api_error_response(request, 413)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    logging.getLogger("django.security").warning("%s", exc)
    return api_error_response(request, 400)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unexpected: logged with its traceback like Django's own 500, answered in the error shape."""
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return api_error_response(request, 500)


for _module in (rounds_apis, finance_apis):
    api.add_router(_module.ROUTER_PREFIX, _module.router)
