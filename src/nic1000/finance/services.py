"""Writes on policy finance. Keyword-only, one transaction each, an audit row for every change.

Institution officers act only on applications routed to their institution (others are "not found"); API calls
act as an `ApiActor` bound to the token's institution. A company's representative (or the programme office on
its behalf) applies, replies and withdraws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.activity.services import workflow_transition
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.money import krw
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.designations.models import Membership
from nic1000.designations.selectors import membership_active_for
from nic1000.finance import notices, selectors
from nic1000.finance import terms as T
from nic1000.finance.models import (
    Application,
    Disbursement,
    Product,
    Purpose,
    Repayment,
)
from nic1000.finance.workflows import APPLICATION
from nic1000.registry.models import Company, Institution

MAX_AMOUNT = 10**15  # KRW 1,000 trillion: anything above is a typing error
LOAN_KINDS = (Purpose.OPERATING, Purpose.FACILITY, Purpose.EXPORT)

# Why a product's quote is not eligible (terms.quote's reason codes), as the company reads it.
QUOTE_REASONS = {
    "not_selected": gettext_lazy("not selected or no longer active"),
    "no_export_performance": gettext_lazy("state your export performance"),
    "not_a_technology_company": gettext_lazy("for technology companies"),
    "no_basis_figure": gettext_lazy("state your estimated sales"),
}


@dataclass(frozen=True)
class ApiActor:
    """Who acts when an institution's system calls the API: audit shows `api:<code>:<token prefix>`. It holds
    the institution officer's role for its institution (the token authenticated it)."""

    institution_id: int
    label: str
    role: str = Role.INSTITUTION_OFFICER
    pk: None = None
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True

    @property
    def username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


# Who decides on an application and records its money: an institution officer, or the institution's API token.
Officer = User | ApiActor


def _user_or_none(user: User | ApiActor) -> User | None:
    return user if isinstance(user, User) else None


def _bad(message: str, code: str, field: str | None = None, value: object = None) -> ValidationFailed:
    return ValidationFailed(
        message, details=[ErrorDetail(message=message, field=field, value=value, code=code)], code=code
    )


def _krw(amount: int) -> str:
    """The full amount in the reader's language (2,000,000,000원 / KRW 2,000,000,000), as pages show it."""
    return krw(amount, get_language() or "ko")


def _check_amount(value: object, field: str) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise _bad(_("An amount in whole KRW is required."), "amount_required", field, value)
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise _bad(_("An amount in whole KRW is required."), "amount_required", field, value) from None
    if amount <= 0 or amount > MAX_AMOUNT:
        raise _bad(_("The amount must be positive and realistic."), "amount_out_of_range", field, value)
    return amount


def _check_officer(application: Application, acting_user: Officer) -> None:
    """Officers (and API tokens) act only on their own institution's applications."""
    require_role(
        acting_user,
        Role.INSTITUTION_OFFICER,
        message=_("Only an officer of the lead institution may do this."),
    )
    if acting_user.institution_id != application.institution_id:
        raise NotFound(_("Application not found."))


def _check_company_side(application: Application, acting_user: User) -> None:
    """The company's representative, or the programme office acting for the company."""
    require_role(
        acting_user, Role.COMPANY, OFFICE, message=_("Only the company's representative may do this.")
    )
    if acting_user.role == Role.COMPANY and acting_user.company_id != application.company_id:
        raise NotFound(_("Application not found."))


def _quote_for(
    *, company_id: int, product: Product, estimated_sales: int | None, export_performance: int | None
) -> T.Quote:
    figures = selectors.company_figures(
        company_id=company_id, estimated_sales=estimated_sales, export_performance=export_performance
    )
    return T.quote(selectors.product_terms(product), figures)


def _check_limit(
    *, company_id: int, product: Product, amount: int, quote: T.Quote, exclude_pk: int | None = None
) -> int:
    """The limit still available on this product; raises if the quote is not eligible or the amount exceeds it."""
    if not quote.eligible:
        raise ValidationFailed(
            _("The company is not eligible for this product."),
            code="not_eligible",
            details=[
                ErrorDetail(message=str(QUOTE_REASONS.get(r, r)), code=r, field="product")
                for r in quote.reasons
            ],
        )
    used = selectors.committed_on_product(company_id=company_id, product_id=product.pk, exclude_pk=exclude_pk)
    available = max(0, quote.limit_krw - used)
    if amount > available:
        raise _bad(
            _("The amount is above the limit of %(limit)s for this product.") % {"limit": _krw(available)},
            "amount_above_limit",
            "amount",
            amount,
        )
    return available


def route_application(*, company_id: int, purpose: str, amount: int) -> tuple[Product, str]:
    """The Center's routing: the first matching rule names the lead product and says why."""
    rule = T.route(
        selectors.routing_rules(),
        purpose=purpose,
        amount=amount,
        technology_company=selectors.is_technology_company(company_id=company_id),
    )
    if rule is None:
        raise _bad(_("No Center rule covers this need."), "no_routing_rule", "purpose", purpose)
    return Product.objects.select_related("institution").get(code=rule.product_code), rule.reason


def _lead_product(
    *, company_id: int, channel: str, purpose: str, amount: int, product: Product | None
) -> tuple[Product, str]:
    """The product the application goes to and why: the Center's routing, or the product chosen directly."""
    if channel == Application.Channel.CENTER:
        return route_application(company_id=company_id, purpose=purpose, amount=amount)
    if channel != Application.Channel.DIRECT:
        raise _bad(_("Choose a channel."), "invalid_channel", "channel", channel)
    if product is None or not product.active:
        raise _bad(_("Choose a product."), "product_required", "product")
    if product.kind != purpose:
        raise _bad(_("The product does not serve this purpose."), "product_purpose_mismatch", "product")
    return product, ""


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


def _check_applicant(
    *, company: Company, acting_user: User, purpose: str, amount: object, figures: dict[str, int | None]
) -> tuple[Membership, int]:
    """Who may apply for what and how much; returns the company's active designation and the amount."""
    require_role(acting_user, Role.COMPANY, OFFICE, message=_("Only a company representative may apply."))
    if acting_user.role == Role.COMPANY and acting_user.company_id != company.pk:
        raise Forbidden(_("You may apply only for your own company."))
    if purpose not in Purpose.values:
        raise _bad(_("Choose what the money is for."), "invalid_purpose", "purpose", purpose)
    checked_amount = _check_amount(amount, "amount")
    for name, value in figures.items():
        if value is not None and (value < 0 or value > MAX_AMOUNT):
            raise _bad(_("The figure must be zero or positive."), "figure_out_of_range", name, value)
    membership = membership_active_for(company_id=company.pk)
    if membership is None:
        raise _bad(
            _("The company is not selected in the programme or its designation is no longer active."),
            "not_selected",
            "company",
            company.pk,
        )
    return membership, checked_amount


@transaction.atomic
def application_submit(
    *,
    company: Company,
    acting_user: User,
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
    text_check(note=note)
    figures = {"estimated_sales": estimated_sales, "export_performance": export_performance}
    membership, amount = _check_applicant(
        company=company, acting_user=acting_user, purpose=purpose, amount=amount, figures=figures
    )
    product, reason = _lead_product(
        company_id=company.pk, channel=channel, purpose=purpose, amount=amount, product=product
    )
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
        submitted_by=acting_user,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=acting_user,
        action="finance_application.submit",
        obj=app,
        changes=created(snapshot(app, _APP_FIELDS)),
    )
    notices.routed(app)
    return app


def _fire(
    *, application: Application, transition: str, acting_user: Officer, reason: str = "", **changes: Any
) -> Application:
    text_check(reason=reason, **{k: v for k, v in changes.items() if isinstance(v, str)})
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
def application_start_review(*, application: Application, acting_user: Officer) -> Application:
    _check_officer(application, acting_user)
    return _fire(application=application, transition="start_review", acting_user=acting_user)


@transaction.atomic
def application_request_info(*, application: Application, acting_user: Officer, message: str) -> Application:
    _check_officer(application, acting_user)
    app = _fire(
        application=application,
        transition="request_info",
        acting_user=acting_user,
        reason=message,
        info_request=message.strip(),
    )
    notices.info_requested(app, message.strip())
    return app


@transaction.atomic
def application_reply(*, application: Application, acting_user: User, reply: str) -> Application:
    _check_company_side(application, acting_user)
    if not reply.strip():
        raise _bad(_("Write the information asked for."), "reply_required", "reply")
    app = _fire(
        application=application, transition="reply", acting_user=acting_user, company_reply=reply.strip()
    )
    notices.info_answered(app)
    return app


@transaction.atomic
def application_withdraw(*, application: Application, acting_user: User, reason: str = "") -> Application:
    _check_company_side(application, acting_user)
    return _fire(application=application, transition="withdraw", acting_user=acting_user, reason=reason)


def _pct(value: Decimal | None) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else None


def _check_terms(
    *, product: Product, rate_pct: Decimal | None, guarantee_ratio_pct: Decimal | None, maturity_months: int
) -> None:
    """Loans need a rate, guarantees a guarantee ratio; the maturity within the product's."""
    if product.kind in LOAN_KINDS:
        if rate_pct is None or not (Decimal("0") < Decimal(rate_pct) <= Decimal("30")):
            raise _bad(
                _("A loan needs an interest rate between 0 and 30%."), "rate_required", "rate_pct", rate_pct
            )
    elif rate_pct is not None and not (Decimal("0") <= Decimal(rate_pct) <= Decimal("30")):
        raise _bad(_("The rate must be between 0 and 30%."), "rate_out_of_range", "rate_pct", rate_pct)
    if product.kind == Purpose.GUARANTEE:
        if guarantee_ratio_pct is None or not (Decimal("0") < Decimal(guarantee_ratio_pct) <= Decimal("100")):
            raise _bad(
                _("A guarantee needs a guarantee ratio between 0 and 100%."),
                "guarantee_ratio_required",
                "guarantee_ratio_pct",
                guarantee_ratio_pct,
            )
    elif guarantee_ratio_pct is not None:
        raise _bad(
            _("Only guarantees have a guarantee ratio."), "guarantee_ratio_not_allowed", "guarantee_ratio_pct"
        )
    if not (1 <= int(maturity_months) <= product.max_maturity_months):
        raise _bad(
            _("The maturity must be between 1 and %(months)s months.")
            % {"months": product.max_maturity_months},
            "maturity_out_of_range",
            "maturity_months",
            maturity_months,
        )


@transaction.atomic
def application_approve(
    *,
    application: Application,
    acting_user: Officer,
    amount: int,
    rate_pct: Decimal | None = None,
    guarantee_ratio_pct: Decimal | None = None,
    maturity_months: int,
) -> Application:
    """Approve within the computed limit; loans need a rate, guarantees a guarantee ratio."""
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    if application.state not in APPLICATION.transition("approve").sources:
        # The workflow refuses it (409): the state error comes before any input error.
        return _fire(application=application, transition="approve", acting_user=acting_user)
    if membership_active_for(company_id=application.company_id) is None:
        raise _bad(_("The company is no longer active in the programme."), "not_selected", "company")
    if amount > application.limit_krw:
        raise _bad(
            _("The amount is above the limit of %(limit)s.") % {"limit": _krw(application.limit_krw)},
            "amount_above_limit",
            "amount",
            amount,
        )
    _check_terms(
        product=application.product,
        rate_pct=rate_pct,
        guarantee_ratio_pct=guarantee_ratio_pct,
        maturity_months=maturity_months,
    )
    app = _fire(
        application=application,
        transition="approve",
        acting_user=acting_user,
        approved_amount=amount,
        approved_rate_pct=_pct(rate_pct),
        approved_guarantee_ratio_pct=_pct(guarantee_ratio_pct),
        approved_maturity_months=int(maturity_months),
        decided_at=timezone.now(),
    )
    notices.approved(app)
    return app


@transaction.atomic
def application_decline(*, application: Application, acting_user: Officer, reason: str) -> Application:
    _check_officer(application, acting_user)
    app = _fire(
        application=application,
        transition="decline",
        acting_user=acting_user,
        reason=reason,
        decline_reason=reason.strip(),
        decided_at=timezone.now(),
    )
    notices.declined(app)
    return app


@transaction.atomic
def application_transfer(
    *, application: Application, acting_user: Officer, institution: Institution, reason: str
) -> Application:
    """Hand the application to another institution: its product for the same purpose, limit re-computed."""
    _check_officer(application, acting_user)
    if application.state not in APPLICATION.transition("transfer").sources:
        return _fire(application=application, transition="transfer", acting_user=acting_user, reason=reason)
    if institution.pk == application.institution_id:
        raise _bad(_("Choose another institution."), "same_institution", "institution", institution.code)
    product = Product.objects.filter(institution=institution, kind=application.purpose, active=True).first()
    if product is None:
        raise _bad(
            _("That institution has no product for this purpose."),
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
    transferred_from = application.institution.code
    app = _fire(
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
    notices.routed(app, transferred_from=transferred_from)
    return app


@transaction.atomic
def disbursement_record(
    *, application: Application, acting_user: Officer, amount: int, on: dt.date, reference: str = ""
) -> Disbursement:
    """Money paid out. The first payment moves the application to disbursing; paying the whole approved
    amount completes it. Never more than approved."""
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.state not in ("approved", "disbursing"):
        raise Conflict(_("Only an approved application can be disbursed."), code="invalid_state")
    remaining = int(app.approved_amount or 0) - app.disbursed_total
    if amount > remaining:
        raise _bad(
            _("The amount is above what remains to disburse (%(remaining)s).")
            % {"remaining": _krw(remaining)},
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
        # The first money: the balance falls due the approved maturity after it.
        maturity = T.add_months(on, app.approved_maturity_months) if app.approved_maturity_months else None
        _fire(application=app, transition="disburse", acting_user=acting_user, maturity_on=maturity)
    if app.disbursed_total >= int(app.approved_amount or 0):
        _fire(application=app, transition="complete", acting_user=acting_user)
    notices.disbursed(app, d)
    application.refresh_from_db()
    return d


@transaction.atomic
def repayment_record(
    *, application: Application, acting_user: Officer, amount: int, on: dt.date
) -> Repayment:
    _check_officer(application, acting_user)
    amount = _check_amount(amount, "amount")
    app = Application.objects.select_for_update().get(pk=application.pk)
    outstanding = app.disbursed_total - app.repaid_total
    if amount > outstanding:
        raise _bad(
            _("The amount is above the outstanding balance (%(outstanding)s).")
            % {"outstanding": _krw(outstanding)},
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
