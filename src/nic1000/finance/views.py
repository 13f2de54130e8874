"""Policy finance pages. Thin: parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms as djforms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from nic1000.accounts.http import AuthedRequest
from nic1000.accounts.models import User
from nic1000.accounts.second_factor import recent_second_factor_required
from nic1000.core.access import public, role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, PROGRAMME_READERS, Role
from nic1000.core.sorting import sort_from
from nic1000.core.workflow import Label
from nic1000.designations.selectors import membership_active_for
from nic1000.finance import book as B
from nic1000.finance import confirmations as C
from nic1000.finance import documents, services
from nic1000.finance import forms as F
from nic1000.finance import selectors as S
from nic1000.finance import tokens as token_services
from nic1000.finance.exports import APPLICATION_SORT, application_list_xlsx, finance_xlsx
from nic1000.finance.models import ApiToken, Application
from nic1000.finance.workflows import APPLICATION, APPROVED_STATES, OPEN_STATES
from nic1000.registry.models import Company

# Who sees applications: programme-wide readers all, institution officers their institution's, companies their own.
SEES_APPLICATIONS = (PROGRAMME_READERS, Role.INSTITUTION_OFFICER, Role.COMPANY)


def _apply_error(form: djforms.Form, exc: ApplicationError) -> None:
    """Mark the form with a domain error: on the field it names, else on the form."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, d.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _own_company_id(request: AuthedRequest) -> int:
    """A company representative's company (every representative is bound to one)."""
    if request.user.company_id is None:
        raise Http404(_("No company is bound to your account."))
    return request.user.company_id


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
def terms(request: AuthedRequest) -> HttpResponse:
    """The preferential terms the company's own data gives it, before it applies."""
    company_id = _own_company_id(request)
    form = F.FiguresForm(request.GET or None)
    figures = _figures(form)
    rows = S.terms_for_company(
        company_id=company_id,
        estimated_sales=figures["estimated_sales"],
        export_performance=figures["export_performance"],
    )
    context = {
        "form": form,
        "rows": rows,
        "membership": membership_active_for(company_id=company_id),
        "latest_sales": S.latest_sales(company_id=company_id),
    }
    template = "finance/_terms_table.html" if request.htmx else "finance/terms.html"
    return render(request, template, context)


def _submit(request: AuthedRequest, company: Company, form: F.ApplyForm) -> Application:
    d = form.cleaned_data
    return services.application_submit(
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


@role_required(Role.COMPANY)
def apply(request: AuthedRequest) -> HttpResponse:
    company = get_object_or_404(Company, pk=_own_company_id(request))
    form = F.ApplyForm(request.POST or None, initial=request.GET or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            try:
                app = _submit(request, company, form)
            except ApplicationError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Your application was submitted to %(inst)s.") % {"inst": app.institution}
                )
                return redirect("finance:application_detail", pk=app.pk)
    rows = S.terms_for_company(company_id=company.pk)
    context = {"form": form, "rows": rows, "membership": membership_active_for(company_id=company.pk)}
    return render(request, "finance/apply.html", context, status=status)


@role_required(*SEES_APPLICATIONS)
def application_list(request: AuthedRequest) -> HttpResponse:
    qs = S.application_list(user=request.user)
    form = F.ListFilterForm(request.GET or None, states=APPLICATION.states)
    if form.is_valid():
        if form.cleaned_data.get("state"):
            qs = qs.filter(state=form.cleaned_data["state"])
        if form.cleaned_data.get("institution"):
            qs = qs.filter(institution=form.cleaned_data["institution"])
    sort = sort_from(request.GET, APPLICATION_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return application_list_xlsx(applications=qs)
    page = paginate(qs, request.GET.get("page"), 50)
    return render(
        request,
        "finance/application_list.html",
        {"form": form, "page_obj": page, "states": APPLICATION.states, "sort": sort},
    )


# ---------------------------------------------------------------- one application and what may be done with it

Cleaned = dict[str, Any]
Action = Callable[[Application, User, Cleaned], object]

# Each action on the detail page: its form, and the one service it calls with the form's data.
ACTIONS: dict[str, tuple[type[djforms.Form], Action]] = {
    "start_review": (
        F.EmptyForm,
        lambda app, user, d: services.application_start_review(application=app, acting_user=user),
    ),
    "request_info": (
        F.RequestInfoForm,
        lambda app, user, d: services.application_request_info(
            application=app, acting_user=user, message=d["reason"]
        ),
    ),
    "approve": (
        F.ApproveForm,
        lambda app, user, d: services.application_approve(
            application=app,
            acting_user=user,
            amount=d["amount"],
            rate_pct=d.get("rate_pct"),
            guarantee_ratio_pct=d.get("guarantee_ratio_pct"),
            maturity_months=d["maturity_months"],
        ),
    ),
    "decline": (
        F.ReasonForm,
        lambda app, user, d: services.application_decline(
            application=app, acting_user=user, reason=d["reason"]
        ),
    ),
    "transfer": (
        F.TransferForm,
        lambda app, user, d: services.application_transfer(
            application=app, acting_user=user, institution=d["institution"], reason=d["reason"]
        ),
    ),
    "reply": (
        F.ReplyForm,
        lambda app, user, d: services.application_reply(application=app, acting_user=user, reply=d["reply"]),
    ),
    "withdraw": (
        F.WithdrawForm,
        lambda app, user, d: services.application_withdraw(
            application=app, acting_user=user, reason=d.get("reason") or ""
        ),
    ),
    "disburse": (
        F.DisbursementForm,
        lambda app, user, d: services.disbursement_record(
            application=app,
            acting_user=user,
            amount=d["amount"],
            on=d["on"],
            reference=d.get("reference") or "",
        ),
    ),
    "repay": (
        F.RepaymentForm,
        lambda app, user, d: services.repayment_record(
            application=app, acting_user=user, amount=d["amount"], on=d["on"]
        ),
    ),
}


def _available_actions(app: Application, user: User) -> list[str]:
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


def _initial(name: str, app: Application) -> dict[str, Any]:
    """What an action's form proposes: the requested terms, the rest to disburse, today."""
    if name == "approve":
        return {
            "amount": app.amount_requested,
            "rate_pct": app.quoted_rate_pct,
            "guarantee_ratio_pct": app.product.pref_guarantee_ratio_pct,
            "maturity_months": min(36, app.product.max_maturity_months),
        }
    if name == "disburse":
        return {
            "amount": max(0, (app.approved_amount or 0) - app.disbursed_total),
            "on": timezone.localdate(),
        }
    if name == "repay":
        return {"on": timezone.localdate()}
    return {}


def _action_label(name: str) -> Label:
    if name == "repay":
        return _("Record a repayment")
    if name == "disburse":
        return _("Record a disbursement")
    return APPLICATION.transition(name).label


def _detail(
    request: AuthedRequest,
    app: Application,
    bound: tuple[str, djforms.Form] | None = None,
    status: int = 200,
    document_form: F.DocumentForm | None = None,
) -> HttpResponse:
    action_forms = []
    for name in _available_actions(app, request.user):
        if bound and bound[0] == name:
            form = bound[1]
        else:
            form = ACTIONS[name][0](initial=_initial(name, app), prefix=name)
        action_forms.append({"name": name, "label": _action_label(name), "form": form})
    can_attach = (
        request.user.role == Role.COMPANY
        and request.user.company_id == app.company_id
        and app.state in OPEN_STATES
    )
    context = {
        "app": app,
        "states": APPLICATION.states,
        "documents": app.documents.all(),
        "document_form": (document_form or F.DocumentForm()) if can_attach else None,
        "can_attach": can_attach,
        "document_limit": documents.max_bytes(),
        "history": S.application_history(application=app),
        "disbursements": app.disbursements.all(),
        "repayments": app.repayments.all(),
        "action_forms": action_forms,
        "open_action": bound[0] if bound else "",
    }
    return render(request, "finance/application_detail.html", context, status=status)


@role_required(*SEES_APPLICATIONS)
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, S.access_application(user=request.user, pk=pk))


@role_required(Role.INSTITUTION_OFFICER, Role.COMPANY)
@require_POST
def application_action(request: AuthedRequest, pk: int) -> HttpResponse:
    app = S.access_application(user=request.user, pk=pk)
    name = request.POST.get("action", "")
    if name not in ACTIONS:
        raise Http404(_("Unknown action."))
    form_class, act = ACTIONS[name]
    form = form_class(request.POST, prefix=name)
    if not form.is_valid():
        return _detail(request, app, (name, form), status=422)
    # Ask first only when the action is open to this user now; otherwise the service says why not.
    asks = name in C.CONFIRM_ACTIONS and name in _available_actions(app, request.user)
    if asks and not is_confirmed(request):
        return confirmation_page(request, C.confirmation_for(name, app, form.cleaned_data))
    was = C.names(app)
    try:
        act(app, request.user, form.cleaned_data)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if exc.status == 403:
            return render(request, "core/error.html", {"status": 403, "message": exc.message}, status=403)
        app.refresh_from_db()
        _apply_error(form, exc)
        return _detail(request, app, (name, form), status=exc.status)
    messages.success(request, C.done_message(name, app, form.cleaned_data, was=was))
    if name == "transfer":
        return redirect("finance:application_list")
    return redirect("finance:application_detail", pk=app.pk)


# ---------------------------------------------------------------- documents


@role_required(Role.COMPANY)
@require_POST
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """The company attaches one document to its open application."""
    app = S.access_application(user=request.user, pk=pk)
    form = F.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, app, status=422, document_form=form)
    try:
        doc = documents.document_attach(
            application=app, acting_user=request.user, upload=form.cleaned_data["file"]
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if exc.status == 409:  # no longer open: the page has no upload form to show the error on
            messages.error(request, exc.message)
            return redirect("finance:application_detail", pk=app.pk)
        _apply_error(form, exc)
        return _detail(request, app, status=exc.status, document_form=form)
    messages.success(
        request, _("%(name)s is attached to %(number)s.") % {"name": doc.name, "number": str(app)}
    )
    return redirect("finance:application_detail", pk=app.pk)


@role_required(*SEES_APPLICATIONS)
def document_download(request: AuthedRequest, pk: int) -> HttpResponse:
    """The file, to those who see its application, as a download of the type its content showed."""
    doc = S.access_document(user=request.user, pk=pk)
    try:
        handle = documents.document_open(doc)
    except FileNotFoundError:
        raise Http404(_("Document not found.")) from None
    response = FileResponse(handle, as_attachment=True, filename=doc.name, content_type=doc.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Streamed (a FileResponse); role_required types pages as HttpResponse.
    return cast(HttpResponse, response)


@role_required(Role.COMPANY)
@require_POST
def document_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = S.access_document(user=request.user, pk=pk)
    app = doc.application
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove %(name)s from %(number)s?") % {"name": doc.name, "number": str(app)},
                consequences=[
                    _("The file %(name)s is deleted; the institution no longer sees it.") % {"name": doc.name}
                ],
                action=reverse("finance:document_remove", kwargs={"pk": doc.pk}),
                button=pgettext("remove a document", "Remove"),
                cancel_url=reverse("finance:application_detail", kwargs={"pk": app.pk}),
            ),
        )
    try:
        documents.document_remove(document=doc, acting_user=request.user)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("finance:application_detail", pk=app.pk)
    messages.success(
        request, _("%(name)s was removed from %(number)s.") % {"name": doc.name, "number": str(app)}
    )
    return redirect("finance:application_detail", pk=app.pk)


# ---------------------------------------------------------------- the institution's book


@role_required(Role.INSTITUTION_OFFICER)
def book(request: AuthedRequest) -> HttpResponse:
    """The officer's own institution's approved applications: money out, back, outstanding and due."""
    if not request.user.institution_id:
        raise Http404(_("No institution is bound to your account."))
    book_states = {k: v for k, v in APPLICATION.states.items() if k in APPROVED_STATES}
    form = F.BookFilterForm(
        request.GET or None,
        states=book_states,
        institution_id=request.user.institution_id,
        due_choices=B.DUE_CHOICES,
    )
    filters = B.BookFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = B.BookFilters(
            state=d.get("state") or "",
            product_id=d["product"].pk if d.get("product") else None,
            due=d.get("due") or "",
            q=(d.get("q") or "").strip(),
        )
    qs = B.institution_book(user=request.user, filters=filters)
    sort = sort_from(request.GET, B.BOOK_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return B.book_xlsx(qs)
    context = {
        "form": form,
        "page_obj": paginate(qs, request.GET.get("page"), 50),
        "totals": B.book_totals(qs),
        "states": APPLICATION.states,
        "sort": sort,
        "today": timezone.localdate(),
        "due_soon_days": B.DUE_SOON_DAYS,
    }
    return render(request, "finance/book.html", context)


@role_required(PROGRAMME_READERS)
def dashboard(request: AuthedRequest) -> HttpResponse:
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


@role_required(PROGRAMME_READERS)
def company_exposure(request: AuthedRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=company_id)
    context = {
        "company": company,
        "rows": S.exposure_for_company(company_id=company.pk),
        "applications": S.application_list(user=request.user).filter(company=company),
        "membership": membership_active_for(company_id=company.pk),
        "states": APPLICATION.states,
    }
    return render(request, "finance/company_exposure.html", context)


@role_required(PROGRAMME_READERS)
def export_xlsx(request: AuthedRequest) -> HttpResponse:
    response = HttpResponse(
        finance_xlsx(applications=S.application_list(user=request.user)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="nic1000-finance-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@role_required(OFFICE)
@recent_second_factor_required
def tokens(request: AuthedRequest) -> HttpResponse:
    form = F.TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = token_services.api_token_create(
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


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    token_services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("finance:tokens")
