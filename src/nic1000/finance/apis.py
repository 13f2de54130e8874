"""The policy financial institutions' API: `Authorization: Bearer <token>` (one token per institution, created
by the programme office). Each token sees only its institution's applications. Every POST needs an
`Idempotency-Key`, which belongs to the institution: the same key through any of its tokens replays the first
answer. Requests are limited per token to `API_RATE_LIMIT_PER_MINUTE` in any 60 seconds (a sliding window kept
in the database, so every app process agrees; 429 + Retry-After). Bodies over `API_MAX_BODY_BYTES` get 413.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, HeaderEx, P, PathEx, Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import BeforeValidator, WithJsonSchema, field_validator

from nic1000.core.errors import NotFound, ValidationFailed
from nic1000.core.schemas import ErrorOut
from nic1000.finance import selectors as S
from nic1000.finance import services, tokens
from nic1000.finance.models import ApiToken, Application, Disbursement, Repayment
from nic1000.finance.workflows import APPLICATION
from nic1000.registry.models import Institution

ROUTER_PREFIX = "/v1"
MAX_ID = 2**62
MAX_KRW = services.MAX_AMOUNT

ApplicationId = PathEx[int, P(ge=1, le=MAX_ID)]
IdempotencyKey = HeaderEx[
    str, P(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")
]


def rate_limit_per_minute() -> int:
    """Requests one token may make in a minute (`API_RATE_LIMIT_PER_MINUTE`, read by the settings)."""
    return int(settings.API_RATE_LIMIT_PER_MINUTE)


class TokenAuth(HttpBearer):
    openapi_description = "A policy financial institution's API token (created by the programme office)."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = S.api_token_for_secret(token)
        if api_token is None:
            return None
        retry_after = tokens.api_rate_hit(token=api_token, limit=rate_limit_per_minute())
        request.nic_retry_after = retry_after  # type: ignore[attr-defined]  # read by _limited
        return api_token


router = Router(auth=TokenAuth(), tags=["policy finance (institutions)"])


# ---------------------------------------------------------------- schemas


class SelectedCompanyOut(Schema):
    company_id: int
    name_ko: str
    name_en: str
    brn: str
    round_number: int
    body_code: str
    sector: str
    selected_on: dt.date


class SelectedCompanyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SelectedCompanyOut]


StateName = Literal[
    "submitted",
    "under_review",
    "info_requested",
    "approved",
    "declined",
    "withdrawn",
    "disbursing",
    "completed",
]
assert set(StateName.__args__) == set(APPLICATION.states)  # type: ignore[attr-defined]


class ApplicationOut(Schema):
    id: int
    company_id: int
    company_name: str
    company_brn: str
    channel: str
    institution_code: str
    product_code: str
    purpose: str
    amount_requested: int
    needed_by: dt.date | None
    estimated_sales: int | None
    export_performance: int | None
    limit_krw: int
    quoted_rate_pct: float | None
    routing_reason: str
    state: str
    info_request: str
    company_reply: str
    approved_amount: int | None
    approved_rate_pct: float | None
    approved_guarantee_ratio_pct: float | None
    approved_maturity_months: int | None
    decline_reason: str
    disbursed_total: int
    repaid_total: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ApplicationOut]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("The text must not contain NUL characters."))
    return value


class DecisionIn(Schema):
    decision: Literal["start_review", "request_info", "approve", "decline", "transfer"]
    amount: int | None = Field(None, ge=1, le=MAX_KRW)
    rate_pct: float | None = Field(None, ge=0, le=30, allow_inf_nan=False)
    guarantee_ratio_pct: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    maturity_months: int | None = Field(None, ge=1, le=600)
    reason: str = Field("", max_length=2000)
    transfer_to: str | None = Field(None, max_length=20, description="Institution code for a transfer")

    @field_validator("reason", "transfer_to")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return _no_nul(v) if v is not None else v


class DisbursementIn(Schema):
    amount: int = Field(..., ge=1, le=MAX_KRW)
    on: dt.date
    reference: str = Field("", max_length=100)

    @field_validator("reference")
    @classmethod
    def _text(cls, v: str) -> str:
        return _no_nul(v)


class RepaymentIn(Schema):
    amount: int = Field(..., ge=1, le=MAX_KRW)
    on: dt.date


class MoneyOut(Schema):
    id: int
    application_id: int
    amount: int
    on: dt.date
    application: ApplicationOut


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_WITH_ZONE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})$"
)


def _since(value: object) -> dt.datetime:
    """`updated_since`: an ISO 8601 date-time with its time zone (`2026-01-31T09:00:00+09:00`, `...Z`) or a
    date (from its start, in Korean time). Numbers, naive date-times and anything else are refused (422)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    text = value.strip() if isinstance(value, str) else None
    if text is not None and _ISO_DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("updated_since is not a valid date.")) from None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    if text is not None and _ISO_DATETIME_WITH_ZONE.match(text):
        try:
            return dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError(_("updated_since is not a valid date-time.")) from None
    raise ValueError(
        _(
            "updated_since must be an ISO 8601 date-time with a time zone (2026-01-31T09:00:00+09:00) or a date."
        )
    )


UpdatedSince = Annotated[
    dt.datetime,
    BeforeValidator(_since),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "An ISO 8601 date-time with a time zone, or a date (from its start, Korean time).",
        }
    ),
]


class ApplicationQuery(PageQuery):
    state: StateName | None = None
    updated_since: UpdatedSince | None = None


# ---------------------------------------------------------------- helpers


def _rate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def application_out(app: Application) -> dict[str, Any]:
    """JSON-ready, for answers that are stored for idempotent replay."""
    return application_schema(app).model_dump(mode="json")


def application_schema(app: Application) -> ApplicationOut:
    return ApplicationOut(
        id=app.pk,
        company_id=app.company_id,
        company_name=app.company.name_ko,
        company_brn=app.company.brn,
        channel=app.channel,
        institution_code=app.institution.code,
        product_code=app.product.code,
        purpose=app.purpose,
        amount_requested=app.amount_requested,
        needed_by=app.needed_by,
        estimated_sales=app.estimated_sales,
        export_performance=app.export_performance,
        limit_krw=app.limit_krw,
        quoted_rate_pct=_rate(app.quoted_rate_pct),
        routing_reason=app.routing_reason,
        state=app.state,
        info_request=app.info_request,
        company_reply=app.company_reply,
        approved_amount=app.approved_amount,
        approved_rate_pct=_rate(app.approved_rate_pct),
        approved_guarantee_ratio_pct=_rate(app.approved_guarantee_ratio_pct),
        approved_maturity_months=app.approved_maturity_months,
        decline_reason=app.decline_reason,
        disbursed_total=app.disbursed_total,
        repaid_total=app.repaid_total,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def _clamped(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime within what every database stores (naive ones are read as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return _EARLIEST if value.year < 5000 else _LATEST
    return min(max(value, _EARLIEST), _LATEST)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse({"error": {"code": code, "message": message, "details": []}}, status=status)
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def _limited(request: HttpRequest) -> HttpResponse | None:
    retry_after = getattr(request, "nic_retry_after", 0)
    if retry_after:
        return _error(
            429,
            "rate_limited",
            _("Too many requests: at most %(limit)s a minute for one token.")
            % {"limit": rate_limit_per_minute()},
            {"Retry-After": str(retry_after)},
        )
    return None


def _token(request: HttpRequest) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


def _actor(token: ApiToken) -> services.ApiActor:
    return services.ApiActor(
        institution_id=token.institution_id, label=f"api:{token.institution.code}:{token.prefix}"
    )


def _own_application(token: ApiToken, pk: int) -> Application:
    app = (
        Application.objects.select_related("company", "institution", "product")
        .filter(pk=pk, institution_id=token.institution_id)
        .first()
    )
    if app is None:
        raise NotFound(_("Application not found."))
    return app


def _post(
    request: HttpRequest, key: str, payload: dict[str, Any], run: Callable[[], tuple[int, dict[str, Any]]]
) -> Status[dict[str, Any]]:
    token = _token(request)
    digest = hashlib.sha256(
        json.dumps({"path": request.path, "body": payload}, sort_keys=True, default=str).encode()
    ).hexdigest()
    answer = tokens.api_post_idempotent(token=token, key=key, request_hash=digest, run=run)
    return Status(answer.status, answer.body)


ERRORS = {401: ErrorOut, 422: ErrorOut, 429: ErrorOut}
OBJECT_ERRORS = {**ERRORS, 404: ErrorOut}
POST_ERRORS = {**OBJECT_ERRORS, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut}


# ---------------------------------------------------------------- endpoints


@router.get(
    "/finance/selected-companies",
    response={200: SelectedCompanyPage, **ERRORS},
    url_name="finance_selected_companies",
    summary="The published list of selected companies active in the programme",
)
def selected_companies(request: HttpRequest, q: Query[PageQuery]) -> Status[dict[str, Any]] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    qs = S.published_selected_companies()
    start = (q.page - 1) * q.page_size
    items = [
        {
            "company_id": m.company_id,
            "name_ko": m.company.name_ko,
            "name_en": m.company.name_en,
            "brn": m.company.brn,
            "round_number": m.round.number,
            "body_code": m.body.code,
            "sector": m.sector,
            "selected_on": m.selected_on,
        }
        for m in qs[start : start + q.page_size]
    ]
    return Status(200, {"count": qs.count(), "page": q.page, "page_size": q.page_size, "items": items})


@router.get(
    "/finance/applications",
    response={200: ApplicationPage, **ERRORS},
    url_name="finance_applications",
    summary="Applications routed to the token's institution (oldest change first; filter by state, updated since)",
)
def applications(request: HttpRequest, q: Query[ApplicationQuery]) -> Status[dict[str, Any]] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    qs = S.applications_for_institution(
        institution_id=_token(request).institution_id, state=q.state, updated_since=_clamped(q.updated_since)
    )
    start = (q.page - 1) * q.page_size
    items = [application_schema(a) for a in qs[start : start + q.page_size]]
    return Status(200, {"count": qs.count(), "page": q.page, "page_size": q.page_size, "items": items})


@router.get(
    "/finance/applications/{application_id}",
    response={200: ApplicationOut, **OBJECT_ERRORS},
    url_name="finance_application",
    summary="One application routed to the token's institution",
)
def application(request: HttpRequest, application_id: ApplicationId) -> Status[ApplicationOut] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    return Status(200, application_schema(_own_application(_token(request), application_id)))


@router.post(
    "/finance/applications/{application_id}/decisions",
    response={200: ApplicationOut, **POST_ERRORS},
    url_name="finance_application_decide",
    summary="Start review, request information, approve, decline or transfer an application",
)
def decide(
    request: HttpRequest,
    payload: DecisionIn,
    application_id: ApplicationId,
    idempotency_key: IdempotencyKey,
) -> Status[dict[str, Any]] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    token = _token(request)

    def run() -> tuple[int, dict[str, Any]]:
        app = _own_application(token, application_id)
        _apply_decision(app, _actor(token), payload)
        # A transferred application is no longer the token's: answer with it as it was handed over.
        return 200, application_out(
            app if payload.decision == "transfer" else _own_application(token, application_id)
        )

    return _post(request, idempotency_key, {"id": application_id, **payload.model_dump(mode="json")}, run)


def _pct(value: float | None) -> Decimal | None:
    return Decimal(str(round(value, 2))) if value is not None else None


def _apply_decision(app: Application, actor: services.ApiActor, payload: DecisionIn) -> None:
    """The decision through its one service."""
    d = payload.decision
    if d == "start_review":
        services.application_start_review(application=app, acting_user=actor)
    elif d == "request_info":
        services.application_request_info(application=app, acting_user=actor, message=payload.reason)
    elif d == "approve":
        if payload.amount is None or payload.maturity_months is None:
            raise ValidationFailed(
                _("An approval needs amount and maturity_months."), code="approval_incomplete"
            )
        services.application_approve(
            application=app,
            acting_user=actor,
            amount=payload.amount,
            rate_pct=_pct(payload.rate_pct),
            guarantee_ratio_pct=_pct(payload.guarantee_ratio_pct),
            maturity_months=payload.maturity_months,
        )
    elif d == "decline":
        services.application_decline(application=app, acting_user=actor, reason=payload.reason)
    else:
        target = Institution.objects.filter(code=(payload.transfer_to or "").upper()).first()
        if target is None:
            raise ValidationFailed(_("transfer_to must name an institution."), code="unknown_institution")
        services.application_transfer(
            application=app, acting_user=actor, institution=target, reason=payload.reason
        )


def _money_out(row: Disbursement | Repayment, app: Application) -> dict[str, Any]:
    """A recorded disbursement or repayment, with the application as it now stands."""
    return MoneyOut(
        id=row.pk, application_id=app.pk, amount=row.amount, on=row.on, application=application_schema(app)
    ).model_dump(mode="json")


@router.post(
    "/finance/applications/{application_id}/disbursements",
    response={201: MoneyOut, **POST_ERRORS},
    url_name="finance_application_disburse",
    summary="Record money paid out (a loan drawn, a guarantee issued, an investment made)",
)
def disburse(
    request: HttpRequest,
    payload: DisbursementIn,
    application_id: ApplicationId,
    idempotency_key: IdempotencyKey,
) -> Status[dict[str, Any]] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    token = _token(request)

    def run() -> tuple[int, dict[str, Any]]:
        app = _own_application(token, application_id)
        d = services.disbursement_record(
            application=app,
            acting_user=_actor(token),
            amount=payload.amount,
            on=payload.on,
            reference=payload.reference,
        )
        return 201, _money_out(d, app)

    return _post(request, idempotency_key, {"id": application_id, **payload.model_dump(mode="json")}, run)


@router.post(
    "/finance/applications/{application_id}/repayments",
    response={201: MoneyOut, **POST_ERRORS},
    url_name="finance_application_repay",
    summary="Record a repayment",
)
def repay(
    request: HttpRequest,
    payload: RepaymentIn,
    application_id: ApplicationId,
    idempotency_key: IdempotencyKey,
) -> Status[dict[str, Any]] | HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    token = _token(request)

    def run() -> tuple[int, dict[str, Any]]:
        app = _own_application(token, application_id)
        r = services.repayment_record(
            application=app, acting_user=_actor(token), amount=payload.amount, on=payload.on
        )
        return 201, _money_out(r, app)

    return _post(request, idempotency_key, {"id": application_id, **payload.model_dump(mode="json")}, run)
