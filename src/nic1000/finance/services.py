"""Writes on policy finance. Keyword-only, one transaction each, an audit row for every change.

Institution officers act only on applications routed to their institution (others are "not found"); API calls
act as an `ApiActor` bound to the token's institution.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from nic1000.activity.services import workflow_transition
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.roles import Role
from nic1000.designations.selectors import membership_active_for
from nic1000.finance import selectors as S
from nic1000.finance import terms as T
from nic1000.finance.models import (
    ApiToken,
    Application,
    Disbursement,
    Product,
    Purpose,
    RateWindow,
    Repayment,
)
from nic1000.finance.workflows import APPLICATION
from nic1000.registry.models import Company, Institution

MAX_AMOUNT = 10**15  # KRW 1,000 trillion: anything above is a typing error


@dataclass(frozen=True)
class ApiActor:
    """Who acts when an institution's system calls the API: audit shows `api:<code>:<token prefix>`."""

    institution_id: int
    label: str
    role: str = Role.INSTITUTION_OFFICER
    pk: None = None

    @property
    def username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _bad(message: str, code: str, field: str | None = None, value: Any = None) -> ValidationFailed:
    return ValidationFailed(
        message, details=[ErrorDetail(message=message, field=field, value=value, code=code)], code=code
    )


def _check_amount(value: Any, field: str) -> int:
    if value is None or isinstance(value, bool):
        raise _bad("An amount in whole KRW is required", "amount_required", field)
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise _bad("An amount in whole KRW is required", "amount_required", field, value) from None
    if amount <= 0 or amount > MAX_AMOUNT:
        raise _bad("The amount must be positive and realistic", "amount_out_of_range", field, value)
    return amount


def _check_officer(application: Application, acting_user: Any) -> None:
    """Officers (and API tokens) act only on their own institution's applications."""
    if getattr(acting_user, "role", None) != Role.INSTITUTION_OFFICER:
        raise Forbidden("Only an officer of the lead institution may do this")
    if getattr(acting_user, "institution_id", None) != application.institution_id:
        raise NotFound("application not found")


def _check_company_side(application: Application, acting_user: Any) -> None:
    role = getattr(acting_user, "role", None)
    if role == Role.PROGRAM_OFFICE:
        return
    if role != Role.COMPANY:
        raise Forbidden("Only the company's representative may do this")
    if getattr(acting_user, "company_id", None) != application.company_id:
        raise NotFound("application not found")


def _quote_for(
    *, company_id: int, product: Product, estimated_sales: int | None, export_performance: int | None
) -> T.Quote:
    figures = S.company_figures(
        company_id=company_id, estimated_sales=estimated_sales, export_performance=export_performance
    )
    return T.quote(S.product_terms(product), figures)


def _check_limit(
    *, company_id: int, product: Product, amount: int, quote: T.Quote, exclude_pk: int | None = None
) -> int:
    """The limit still available on this product; raises if the quote is not eligible or the amount exceeds it."""
    if not quote.eligible:
        raise ValidationFailed(
            "The company is not eligible for this product",
            code="not_eligible",
            details=[ErrorDetail(message=r, code=r, field="product") for r in quote.reasons],
        )
    used = S.committed_on_product(company_id=company_id, product_id=product.pk, exclude_pk=exclude_pk)
    available = max(0, quote.limit_krw - used)
    if amount > available:
        raise _bad(
            f"The amount is above the limit of KRW {available:,} for this product",
            "amount_above_limit",
            "amount",
            amount,
        )
    return available


def route_application(*, company_id: int, purpose: str, amount: int) -> tuple[Product, str]:
    """The Center's routing: the first matching rule names the lead product and says why."""
    rule = T.route(
        S.routing_rules(),
        purpose=purpose,
        amount=amount,
        technology_company=S.is_technology_company(company_id=company_id),
    )
    if rule is None:
        raise _bad("No Center rule covers this need", "no_routing_rule", "purpose", purpose)
    return Product.objects.select_related("institution").get(code=rule.product_code), rule.reason


_APP_FIELDS = [
    "company_id",
    "membership_id",
    "channel",
    "product_id",
    "institution_id",
    "purpose",
    "amount_requested",
    "needed_by",
    "estimated_sales",
    "export_performance",
    "limit_krw",
    "quoted_rate_pct",
    "routing_reason",
    "state",
]


@transaction.atomic
def application_submit(
    *,
    company: Company,
    acting_user: Any,
    purpose: str,
    amount: int,
    channel: str,
    product: Product | None = None,
    needed_by: dt.date | None = None,
    estimated_sales: int | None = None,
    export_performance: int | None = None,
    note: str = "",
) -> Application:
    """A company applies: directly for one product, or at the Center, which assigns the lead institution."""
    role = getattr(acting_user, "role", None)
    if role == Role.COMPANY and acting_user.company_id != company.pk:
        raise Forbidden("You may apply only for your own company")
    if role not in (Role.COMPANY, Role.PROGRAM_OFFICE):
        raise Forbidden("Only a company representative may apply")
    if purpose not in Purpose.values:
        raise _bad("Choose what the money is for", "invalid_purpose", "purpose", purpose)
    amount = _check_amount(amount, "amount")
    for name, value in (("estimated_sales", estimated_sales), ("export_performance", export_performance)):
        if value is not None and (value < 0 or value > MAX_AMOUNT):
            raise _bad("The figure must be zero or positive", "figure_out_of_range", name, value)
    membership = membership_active_for(company_id=company.pk)
    if membership is None:
        raise _bad(
            "The company is not selected in the programme or its membership is no longer active",
            "not_selected",
            "company",
            company.pk,
        )
    if channel == Application.Channel.CENTER:
        product, reason = route_application(company_id=company.pk, purpose=purpose, amount=amount)
    elif channel == Application.Channel.DIRECT:
        if product is None or not product.active:
            raise _bad("Choose a product", "product_required", "product")
        if product.kind != purpose:
            raise _bad("The product does not serve this purpose", "product_purpose_mismatch", "product")
        reason = ""
    else:
        raise _bad("Choose a channel", "invalid_channel", "channel", channel)
    quote = _quote_for(
        company_id=company.pk,
        product=product,
        estimated_sales=estimated_sales,
        export_performance=export_performance,
    )
    _check_limit(company_id=company.pk, product=product, amount=amount, quote=quote)
    now = timezone.now()
    app = Application.objects.create(
        company=company,
        membership=membership,
        channel=channel,
        product=product,
        institution=product.institution,
        purpose=purpose,
        amount_requested=amount,
        needed_by=needed_by,
        note=note,
        estimated_sales=estimated_sales,
        export_performance=export_performance,
        limit_krw=quote.limit_krw,
        quoted_rate_pct=quote.rate_pct,
        routing_reason=reason,
        state=APPLICATION.initial,
        submitted_by=_user_or_none(acting_user),
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=acting_user,
        action="finance_application.submit",
        obj=app,
        changes=created(snapshot(app, _APP_FIELDS)),
    )
    return app


def _fire(
    *, application: Application, transition: str, acting_user: Any, reason: str = "", **changes: Any
) -> Application:
    changes["updated_at"] = timezone.now()
    workflow_transition(
        obj=application,
        workflow=APPLICATION,
        transition=transition,
        acting_user=acting_user,
        reason=reason,
        extra_changes=changes,
    )
    application.refresh_from_db()
    return application


@transaction.atomic
def application_start_review(*, application: Application, acting_user: Any) -> Application:
    _check_officer(application, acting_user)
    return _fire(application=application, transition="start_review", acting_user=acting_user)


@transaction.atomic
def application_request_info(*, application: Application, acting_user: Any, message: str) -> Application:
    _check_officer(application, acting_user)
    return _fire(
        application=application,
        transition="request_info",
        acting_user=acting_user,
        reason=message,
        info_request=message.strip(),
    )


@transaction.atomic
def application_reply(*, application: Application, acting_user: Any, reply: str) -> Application:
    _check_company_side(application, acting_user)
    if not reply.strip():
        raise _bad("Write the information asked for", "reply_required", "reply")
    return _fire(
        application=application, transition="reply", acting_user=acting_user, company_reply=reply.strip()
    )


@transaction.atomic
def application_withdraw(*, application: Application, acting_user: Any, reason: str = "") -> Application:
    _check_company_side(application, acting_user)
    return _fire(application=application, transition="withdraw", acting_user=acting_user, reason=reason)


@transaction.atomic
def application_approve(
    *,
    application: Application,
    acting_user: Any,
    amount: int,
    rate_pct: Decimal | None = None,
    guarantee_ratio_pct: Decimal | None = None,
    maturity_months: int,
) -> Application:
    """Approve within the computed limit; loans need a rate, guarantees a guarantee ratio."""
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    product = application.product
    if application.state not in APPLICATION.transition("approve").sources:
        # The workflow refuses it (409): the state error comes before any input error.
        return _fire(application=application, transition="approve", acting_user=acting_user)
    if membership_active_for(company_id=application.company_id) is None:
        raise _bad("The company is no longer active in the programme", "not_selected", "company")
    if amount > application.limit_krw:
        raise _bad(
            f"The amount is above the limit of KRW {application.limit_krw:,}",
            "amount_above_limit",
            "amount",
            amount,
        )
    if product.kind in (Purpose.OPERATING, Purpose.FACILITY, Purpose.EXPORT):
        if rate_pct is None or not (Decimal("0") < Decimal(rate_pct) <= Decimal("30")):
            raise _bad(
                "A loan needs an interest rate between 0 and 30%", "rate_required", "rate_pct", rate_pct
            )
    elif rate_pct is not None and not (Decimal("0") <= Decimal(rate_pct) <= Decimal("30")):
        raise _bad("The rate must be between 0 and 30%", "rate_out_of_range", "rate_pct", rate_pct)
    if product.kind == Purpose.GUARANTEE:
        if guarantee_ratio_pct is None or not (Decimal("0") < Decimal(guarantee_ratio_pct) <= Decimal("100")):
            raise _bad(
                "A guarantee needs a guarantee ratio between 0 and 100%",
                "guarantee_ratio_required",
                "guarantee_ratio_pct",
                guarantee_ratio_pct,
            )
    elif guarantee_ratio_pct is not None:
        raise _bad(
            "Only guarantees have a guarantee ratio", "guarantee_ratio_not_allowed", "guarantee_ratio_pct"
        )
    if not (1 <= int(maturity_months) <= product.max_maturity_months):
        raise _bad(
            f"The maturity must be between 1 and {product.max_maturity_months} months",
            "maturity_out_of_range",
            "maturity_months",
            maturity_months,
        )
    return _fire(
        application=application,
        transition="approve",
        acting_user=acting_user,
        approved_amount=amount,
        approved_rate_pct=Decimal(rate_pct).quantize(Decimal("0.01")) if rate_pct is not None else None,
        approved_guarantee_ratio_pct=(
            Decimal(guarantee_ratio_pct).quantize(Decimal("0.01"))
            if guarantee_ratio_pct is not None
            else None
        ),
        approved_maturity_months=int(maturity_months),
        decided_at=timezone.now(),
    )


@transaction.atomic
def application_decline(*, application: Application, acting_user: Any, reason: str) -> Application:
    _check_officer(application, acting_user)
    return _fire(
        application=application,
        transition="decline",
        acting_user=acting_user,
        reason=reason,
        decline_reason=reason.strip(),
        decided_at=timezone.now(),
    )


@transaction.atomic
def application_transfer(
    *, application: Application, acting_user: Any, institution: Institution, reason: str
) -> Application:
    """Hand the application to another institution: its product for the same purpose, limit re-computed."""
    _check_officer(application, acting_user)
    if application.state not in APPLICATION.transition("transfer").sources:
        return _fire(application=application, transition="transfer", acting_user=acting_user, reason=reason)
    if institution.pk == application.institution_id:
        raise _bad("Choose another institution", "same_institution", "institution", institution.code)
    product = Product.objects.filter(institution=institution, kind=application.purpose, active=True).first()
    if product is None:
        raise _bad(
            "That institution has no product for this purpose",
            "no_product_there",
            "institution",
            institution.code,
        )
    quote = _quote_for(
        company_id=application.company_id,
        product=product,
        estimated_sales=application.estimated_sales,
        export_performance=application.export_performance,
    )
    _check_limit(
        company_id=application.company_id,
        product=product,
        amount=application.amount_requested,
        quote=quote,
        exclude_pk=application.pk,
    )
    return _fire(
        application=application,
        transition="transfer",
        acting_user=acting_user,
        reason=reason,
        institution_id=institution.pk,
        product_id=product.pk,
        limit_krw=quote.limit_krw,
        quoted_rate_pct=quote.rate_pct,
        routing_reason=f"{reason.strip()[:250]}",
    )


@transaction.atomic
def disbursement_record(
    *, application: Application, acting_user: Any, amount: int, on: dt.date, reference: str = ""
) -> Disbursement:
    """Money paid out. The first payment moves the application to disbursing; paying the whole approved
    amount completes it. Never more than approved."""
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.state not in ("approved", "disbursing"):
        raise Conflict("Only an approved application can be disbursed", code="invalid_state")
    remaining = int(app.approved_amount or 0) - app.disbursed_total
    if amount > remaining:
        raise _bad(
            f"The amount is above what remains to disburse (KRW {remaining:,})",
            "amount_above_approved",
            "amount",
            amount,
        )
    now = timezone.now()
    d = Disbursement.objects.create(
        application=app,
        amount=amount,
        on=on,
        reference=reference[:100],
        created_by=_user_or_none(acting_user),
        created_at=now,
    )
    Application.objects.filter(pk=app.pk).update(
        disbursed_total=F("disbursed_total") + amount, updated_at=now
    )
    audit_record(
        actor=acting_user,
        action="finance_disbursement.record",
        obj=d,
        changes={
            **created({"application_id": app.pk, "amount": amount, "on": on, "reference": reference}),
            "application.disbursed_total": {
                "before": app.disbursed_total,
                "after": app.disbursed_total + amount,
            },
        },
    )
    app.refresh_from_db()
    if app.state == "approved":
        _fire(application=app, transition="disburse", acting_user=acting_user)
    if app.disbursed_total >= int(app.approved_amount or 0):
        _fire(application=app, transition="complete", acting_user=acting_user)
    application.refresh_from_db()
    return d


@transaction.atomic
def repayment_record(*, application: Application, acting_user: Any, amount: int, on: dt.date) -> Repayment:
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    app = Application.objects.select_for_update().get(pk=application.pk)
    outstanding = app.disbursed_total - app.repaid_total
    if amount > outstanding:
        raise _bad(
            f"The amount is above the outstanding balance (KRW {outstanding:,})",
            "amount_above_outstanding",
            "amount",
            amount,
        )
    now = timezone.now()
    r = Repayment.objects.create(
        application=app, amount=amount, on=on, created_by=_user_or_none(acting_user), created_at=now
    )
    Application.objects.filter(pk=app.pk).update(repaid_total=F("repaid_total") + amount, updated_at=now)
    audit_record(
        actor=acting_user,
        action="finance_repayment.record",
        obj=r,
        changes={
            **created({"application_id": app.pk, "amount": amount, "on": on}),
            "application.repaid_total": {"before": app.repaid_total, "after": app.repaid_total + amount},
        },
    )
    application.refresh_from_db()
    return r


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def api_token_create(*, institution: Institution, name: str, acting_user: Any) -> tuple[ApiToken, str]:
    """A new token for an institution. Returns the token row and the secret, which is never stored."""
    if getattr(acting_user, "role", None) != Role.PROGRAM_OFFICE:
        raise Forbidden("Only the programme office manages API tokens")
    name = (name or "").strip()
    if not name:
        raise _bad("Give the token a name", "name_required", "name")
    secret = f"nic_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        institution=institution,
        name=name[:100],
        prefix=secret[:12],
        token_hash=S.token_hash(secret),
        created_by=_user_or_none(acting_user),
        created_at=timezone.now(),
    )
    audit_record(
        actor=acting_user,
        action="finance_api_token.create",
        obj=token,
        changes=created({"institution_id": institution.pk, "name": token.name, "prefix": token.prefix}),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: Any) -> ApiToken:
    if getattr(acting_user, "role", None) != Role.PROGRAM_OFFICE:
        raise Forbidden("Only the programme office manages API tokens")
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting_user,
            action="finance_api_token.revoke",
            obj=locked,
            changes={"revoked_at": {"before": None, "after": locked.revoked_at}},
        )
    token.revoked_at = locked.revoked_at
    return locked


@transaction.atomic
def api_rate_hit(*, token: ApiToken, limit: int) -> int:
    """Count one request in the token's current one-minute window. Returns 0 when allowed, else the seconds
    until the window ends. Technical counters: not audited."""
    now = timezone.now()
    start = now.replace(second=0, microsecond=0)
    RateWindow.objects.filter(token=token, window_start__lt=start - dt.timedelta(hours=1)).delete()
    window, _ = RateWindow.objects.get_or_create(token=token, window_start=start)
    RateWindow.objects.filter(pk=window.pk).update(count=F("count") + 1)
    window.refresh_from_db(fields=["count"])
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if window.count > limit:
        return max(1, 60 - now.second)
    return 0


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def api_post_idempotent(
    *, token: ApiToken, key: str, request_hash: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> StoredAnswer:
    """Run a POST once per (token, Idempotency-Key). The same key with the same request gives the stored
    answer again without a second effect; the same key with another request is refused (422). Domain errors
    are stored too, so a replay answers the same way."""
    from nic1000.core.errors import ApplicationError
    from nic1000.finance.models import IdempotencyRecord

    def stored() -> StoredAnswer | None:
        rec = IdempotencyRecord.objects.filter(token=token, key=key).first()
        if rec is None:
            return None
        if rec.request_hash != request_hash:
            raise ValidationFailed(
                "This Idempotency-Key was used with another request",
                code="idempotency_key_reused",
                details=[ErrorDetail(message="Use a new key for a new request", field="Idempotency-Key")],
            )
        return StoredAnswer(status=rec.status_code, body=rec.response, replayed=True)

    answer = stored()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    status, body = run()
            except ApplicationError as exc:
                status, body = exc.status, exc.as_dict()
            IdempotencyRecord.objects.create(
                token=token,
                key=key,
                request_hash=request_hash,
                status_code=status,
                response=body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Another request with the same key won the race: its answer is the answer.
        answer = stored()
        if answer is None:  # pragma: no cover - the unique row exists once the race is lost
            raise
        return answer
    return StoredAnswer(status=status, body=body, replayed=False)
