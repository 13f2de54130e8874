"""Policy finance pages. Thin: parse input, call one service or selector, render."""

from __future__ import annotations

import io
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.core.access import public, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.finance import forms as F
from nic1000.finance import selectors as S
from nic1000.finance import services
from nic1000.finance.models import ApiToken, Application
from nic1000.finance.workflows import APPLICATION
from nic1000.registry.models import Company

PROGRAM = (Role.PROGRAM_OFFICE, Role.AUDITOR, Role.SUPPORT_GROUP)
SEES_APPLICATIONS = (*PROGRAM, Role.INSTITUTION_OFFICER, Role.COMPANY)


def _apply_error(form: djforms.Form, exc: ApplicationError) -> None:
    """Mark the form with a domain error: on the field it names, else on the form."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, d.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@public
def products(request: HttpRequest) -> HttpResponse:
    return render(request, "finance/products.html", {"products": S.products_active()})


def _figures(form: F.FiguresForm) -> dict[str, int | None]:
    if not form.is_valid():
        return {"estimated_sales": None, "export_performance": None}
    return {
        "estimated_sales": form.cleaned_data.get("estimated_sales") or None,
        "export_performance": form.cleaned_data.get("export_performance") or None,
    }


@role_required(Role.COMPANY)
def terms(request: HttpRequest) -> HttpResponse:
    """The preferential terms the company's own data gives it, before it applies."""
    company_id = int(request.user.company_id)  # type: ignore[union-attr, arg-type]
    form = F.FiguresForm(request.GET or None)
    rows = S.terms_for_company(company_id=company_id, **_figures(form))
    context = {
        "form": form,
        "rows": rows,
        "membership": S.membership_active_for(company_id=company_id),
        "latest_sales": S.latest_sales(company_id=company_id),
    }
    template = "finance/_terms_table.html" if request.htmx else "finance/terms.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@role_required(Role.COMPANY)
def apply(request: HttpRequest) -> HttpResponse:
    company = get_object_or_404(Company, pk=request.user.company_id)  # type: ignore[union-attr]
    form = F.ApplyForm(request.POST or None, initial=request.GET or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                app = services.application_submit(
                    company=company,
                    acting_user=request.user,
                    purpose=d["purpose"],
                    amount=d["amount"],
                    channel=d["channel"],
                    product=d.get("product"),
                    needed_by=d.get("needed_by"),
                    estimated_sales=d.get("estimated_sales") or None,
                    export_performance=d.get("export_performance") or None,
                    note=d.get("note") or "",
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Your application was submitted to %(inst)s.") % {"inst": app.institution}
                )
                return redirect("finance:application_detail", pk=app.pk)
        else:
            status = 422
    rows = S.terms_for_company(company_id=company.pk)
    context = {"form": form, "rows": rows, "membership": S.membership_active_for(company_id=company.pk)}
    return render(request, "finance/apply.html", context, status=status)


@role_required(*SEES_APPLICATIONS)
def application_list(request: HttpRequest) -> HttpResponse:
    qs = S.application_list(user=request.user)
    form = F.ListFilterForm(request.GET or None, states=APPLICATION.states)
    if form.is_valid():
        if form.cleaned_data.get("state"):
            qs = qs.filter(state=form.cleaned_data["state"])
        if form.cleaned_data.get("institution"):
            qs = qs.filter(institution=form.cleaned_data["institution"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/application_list.html",
        {"form": form, "page_obj": page, "states": APPLICATION.states},
    )


ACTIONS: dict[str, type[djforms.Form]] = {
    "start_review": F.EmptyForm,
    "request_info": F.RequestInfoForm,
    "approve": F.ApproveForm,
    "decline": F.ReasonForm,
    "transfer": F.TransferForm,
    "reply": F.ReplyForm,
    "withdraw": F.WithdrawForm,
    "disburse": F.DisbursementForm,
    "repay": F.RepaymentForm,
}


def _available_actions(app: Application, user: Any) -> list[str]:
    role = user.role
    if role == Role.INSTITUTION_OFFICER and user.institution_id == app.institution_id:
        names = [
            t.name for t in APPLICATION.available(app.state, [role]) if t.name not in ("disburse", "complete")
        ]
        if app.state in ("approved", "disbursing"):
            names.append("disburse")
        if app.disbursed_total > app.repaid_total:
            names.append("repay")
        return names
    if role == Role.COMPANY and user.company_id == app.company_id:
        return [t.name for t in APPLICATION.available(app.state, [role])]
    return []


def _detail(
    request: HttpRequest, app: Application, bound: tuple[str, djforms.Form] | None = None, status: int = 200
) -> HttpResponse:
    action_forms = []
    for name in _available_actions(app, request.user):
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial: dict[str, Any] = {}
            if name == "approve":
                initial = {
                    "amount": app.amount_requested,
                    "rate_pct": app.quoted_rate_pct,
                    "guarantee_ratio_pct": app.product.pref_guarantee_ratio_pct,
                    "maturity_months": min(36, app.product.max_maturity_months),
                }
            elif name == "disburse":
                initial = {
                    "amount": max(0, (app.approved_amount or 0) - app.disbursed_total),
                    "on": timezone.localdate(),
                }
            elif name == "repay":
                initial = {"on": timezone.localdate()}
            form = ACTIONS[name](initial=initial, prefix=name)
        label = APPLICATION.transition(name).label if name not in ("repay",) else _("Record a repayment")
        if name == "disburse":
            label = _("Record a disbursement")
        action_forms.append({"name": name, "label": label, "form": form})
    context = {
        "app": app,
        "states": APPLICATION.states,
        "history": S.application_history(application=app),
        "disbursements": app.disbursements.all(),
        "repayments": app.repayments.all(),
        "action_forms": action_forms,
        "open_action": bound[0] if bound else "",
    }
    return render(request, "finance/application_detail.html", context, status=status)


@role_required(*SEES_APPLICATIONS)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, S.access_application(user=request.user, pk=pk))


@role_required(Role.INSTITUTION_OFFICER, Role.COMPANY)
@require_POST
def application_action(request: HttpRequest, pk: int) -> HttpResponse:
    app = S.access_application(user=request.user, pk=pk)
    name = request.POST.get("action", "")
    if name not in ACTIONS:
        raise Http404("unknown action")
    form = ACTIONS[name](request.POST, prefix=name)
    if not form.is_valid():
        return _detail(request, app, (name, form), status=422)
    d = form.cleaned_data
    user = request.user
    try:
        if name == "start_review":
            services.application_start_review(application=app, acting_user=user)
        elif name == "request_info":
            services.application_request_info(application=app, acting_user=user, message=d["reason"])
        elif name == "approve":
            services.application_approve(
                application=app,
                acting_user=user,
                amount=d["amount"],
                rate_pct=d.get("rate_pct"),
                guarantee_ratio_pct=d.get("guarantee_ratio_pct"),
                maturity_months=d["maturity_months"],
            )
        elif name == "decline":
            services.application_decline(application=app, acting_user=user, reason=d["reason"])
        elif name == "transfer":
            services.application_transfer(
                application=app, acting_user=user, institution=d["institution"], reason=d["reason"]
            )
        elif name == "reply":
            services.application_reply(application=app, acting_user=user, reply=d["reply"])
        elif name == "withdraw":
            services.application_withdraw(application=app, acting_user=user, reason=d.get("reason") or "")
        elif name == "disburse":
            services.disbursement_record(
                application=app,
                acting_user=user,
                amount=d["amount"],
                on=d["on"],
                reference=d.get("reference") or "",
            )
        else:
            services.repayment_record(application=app, acting_user=user, amount=d["amount"], on=d["on"])
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if exc.status == 403:
            return render(request, "core/error.html", {"status": 403, "message": exc.message}, status=403)
        app.refresh_from_db()
        _apply_error(form, exc)
        return _detail(request, app, (name, form), status=exc.status)
    messages.success(request, _("Done."))
    if name == "transfer":
        return redirect("finance:application_list")
    return redirect("finance:application_detail", pk=app.pk)


@role_required(*PROGRAM)
def dashboard(request: HttpRequest) -> HttpResponse:
    by_month = S.approved_by_month()
    groups = {"loans": _("Loans"), "guarantees": _("Guarantees"), "investment": _("Investment")}
    by_month["by_group"] = {groups.get(k, k): v for k, v in by_month["by_group"].items()}
    context = {
        "funnel": S.funnel(),
        "totals": S.program_totals(),
        "by_institution": S.exposure_by_institution(),
        "by_product": S.exposure_by_product(),
        "time_in_state": S.time_in_state(),
        "chart_data": by_month,
    }
    return render(request, "finance/dashboard.html", context)


@role_required(*PROGRAM)
def company_exposure(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=company_id)
    context = {
        "company": company,
        "rows": S.exposure_for_company(company_id=company.pk),
        "applications": S.application_list(user=request.user).filter(company=company),
        "membership": S.membership_active_for(company_id=company.pk),
    }
    return render(request, "finance/company_exposure.html", context)


@role_required(*PROGRAM)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "applications"
    ws.append(
        [
            "id",
            "company",
            "brn",
            "channel",
            "institution",
            "product",
            "purpose",
            "state",
            "requested_krw",
            "limit_krw",
            "approved_krw",
            "rate_pct",
            "guarantee_ratio_pct",
            "maturity_months",
            "disbursed_krw",
            "repaid_krw",
            "outstanding_krw",
            "created_at",
            "decided_at",
        ]
    )
    tz = timezone.get_current_timezone()
    for a in S.application_list(user=request.user).order_by("id").iterator(chunk_size=2000):
        ws.append(
            [
                a.pk,
                a.company.name_ko,
                a.company.brn,
                a.channel,
                a.institution.code,
                a.product.code,
                a.purpose,
                a.state,
                a.amount_requested,
                a.limit_krw,
                a.approved_amount,
                float(a.approved_rate_pct) if a.approved_rate_pct is not None else None,
                float(a.approved_guarantee_ratio_pct) if a.approved_guarantee_ratio_pct is not None else None,
                a.approved_maturity_months,
                a.disbursed_total,
                a.repaid_total,
                a.outstanding,
                a.created_at.astimezone(tz).replace(tzinfo=None),
                a.decided_at.astimezone(tz).replace(tzinfo=None) if a.decided_at else None,
            ]
        )
    for title, rows in (
        ("by_institution", S.exposure_by_institution()),
        ("by_product", S.exposure_by_product()),
    ):
        sheet = wb.create_sheet(title)
        sheet.append(
            ["institution", "product_kind", "product", "approved", "disbursed", "repaid", "outstanding"]
        )
        for r in rows:
            sheet.append(
                [
                    r.institution_code,
                    r.product_kind,
                    r.product_code,
                    r.approved,
                    r.disbursed,
                    r.repaid,
                    r.outstanding,
                ]
            )
    sheet = wb.create_sheet("totals")
    for k, v in S.program_totals().as_dict().items():
        sheet.append([k, v])
    for k, v in S.funnel().items():
        sheet.append([f"funnel_{k}", v])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="nic1000-finance-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@role_required(Role.PROGRAM_OFFICE)
def tokens(request: HttpRequest) -> HttpResponse:
    form = F.TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = services.api_token_create(
                    institution=form.cleaned_data["institution"],
                    name=form.cleaned_data["name"],
                    acting_user=request.user,
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                form = F.TokenForm()
        else:
            status = 422
    context = {"form": form, "tokens": S.api_tokens(), "secret": secret}
    return render(request, "finance/tokens.html", context, status=status)


@role_required(Role.PROGRAM_OFFICE)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("finance:tokens")
