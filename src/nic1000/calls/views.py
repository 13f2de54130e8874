"""Pages of public calls: the list and a call (everyone), applying (companies), screening (the body)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.calls import selectors, services
from nic1000.calls.forms import ApplyForm, CallForm, DecisionForm
from nic1000.calls.workflows import APPLICATION
from nic1000.core.access import has_role, public, role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.filetypes import TYPES, clean_name
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE_AND_AUDIT, Role
from nic1000.rounds.models import Round
from nic1000.rounds.views.common import AuthedRequest, error_status, form_error
from nic1000.rounds.workflows import RoundAction, RoundState, states_allowing

CALL_READERS = OFFICE_AND_AUDIT | {Role.MINISTRY_OFFICER}


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@public
def call_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = request.GET.get("scope", "open" if user is None or not has_role(user, CALL_READERS) else "")
    scope = scope if scope in ("open", "mine", "") else "open"
    page = paginate(selectors.call_list(user=user, scope=scope), request.GET.get("page"), 25)
    can_open = user is not None and has_role(user, {Role.MINISTRY_OFFICER})
    return render(request, "calls/list.html", {"page_obj": page, "scope": scope, "can_open": can_open})


@public
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    call = selectors.access_call(user=user, pk=pk)
    context: dict[str, Any] = {"call": call, "open": call.is_open()}
    if user is not None and has_role(user, {Role.COMPANY}) and user.company is not None:
        eligible, reasons, member = services.application_self_check(call=call, company=user.company)
        context.update(
            self_check={"eligible": eligible, "reasons": reasons, "member": member, "company": user.company},
            mine=selectors.my_application_for(user=user, call=call),
        )
    if user is not None and selectors.may_screen(user=user, call=call):
        context["screening"] = True
    return render(request, "calls/detail.html", context)


@role_required(Role.MINISTRY_OFFICER)
def call_create(request: AuthedRequest) -> HttpResponse:
    rounds = Round.objects.filter(
        state__in=[*states_allowing(RoundAction.NOMINATE), RoundState.DRAFT]
    ).order_by("-number")
    form = CallForm(request.POST or None, rounds=rounds)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(acting_user=request.user, **form.values())
        except ApplicationError as exc:
            form_error(form, exc)
            return render(request, "calls/form.html", {"form": form}, status=error_status(exc))
        messages.success(request, _("The call “%(title)s” was opened.") % {"title": call.title})
        return redirect("calls:detail", pk=call.pk)
    return render(request, "calls/form.html", {"form": form}, status=422 if form.errors else 200)


@role_required(Role.COMPANY)
def call_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.access_call(user=request.user, pk=pk)
    form = ApplyForm(request.POST or None, request.FILES or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_application_submit(
                call=call,
                statement=form.cleaned_data["statement"],
                documents=form.documents(),
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form_error(form, exc)
            return render(request, "calls/apply.html", {"form": form, "call": call}, status=error_status(exc))
        messages.success(
            request,
            _("Your application to “%(call)s” was submitted; %(body)s has been told and will screen it.")
            % {"call": call.title, "body": call.body.name_ko},
        )
        return redirect("calls:mine")
    return render(
        request, "calls/apply.html", {"form": form, "call": call}, status=422 if form.errors else 200
    )


@role_required(Role.COMPANY)
def my_applications(request: AuthedRequest) -> HttpResponse:
    page = paginate(selectors.my_applications(user=request.user), request.GET.get("page"), 25)
    return render(request, "calls/mine.html", {"page_obj": page})


@role_required(CALL_READERS)
def call_applications(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.access_call(user=request.user, pk=pk)
    if not (has_role(request.user, OFFICE_AND_AUDIT) or selectors.may_screen(user=request.user, call=call)):
        raise Http404
    state = request.GET.get("state", "")
    qs = selectors.applications_for_call(user=request.user, call=call, state=state)
    page = paginate(qs, request.GET.get("page"), 50)
    return render(request, "calls/applications.html", {"call": call, "page_obj": page, "state": state})


@role_required(CALL_READERS | {Role.COMPANY})
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.access_application(user=request.user, pk=pk)
    form = DecisionForm()
    can_decide = (
        selectors.may_screen(user=request.user, call=application.call)
        and application.state == APPLICATION.initial
    )
    context = {"application": application, "form": form, "can_decide": can_decide}
    return render(request, "calls/application.html", context)


@role_required(Role.MINISTRY_OFFICER)
@require_POST
def application_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.access_application(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    context: dict[str, Any] = {
        "application": application,
        "form": form,
        "can_decide": True,
    }
    if not form.is_valid():
        return render(request, "calls/application.html", context, status=422)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    names = {"company": application.company.name_ko, "call": application.call.title}
    if not is_confirmed(request):
        if decision == "accept":
            title = _("Accept %(company)s's application and nominate it?") % names
            lines = [
                _("%(body)s nominates %(company)s in %(round)s; the nomination counts against its quota.")
                % {**names, "body": application.call.body.name_ko, "round": application.call.round.name},
                _("The company is told that it was accepted."),
            ]
        else:
            title = _("Not accept %(company)s's application?") % names
            lines = [_("The company is told it was not accepted, with your reason.")]
        return confirmation_page(
            request,
            Confirmation(
                title=title,
                consequences=lines,
                action=reverse("calls:decide", args=[application.pk]),
                button=_("Confirm"),
                cancel_url=reverse("calls:application", args=[application.pk]),
            ),
        )
    try:
        if decision == "accept":
            services.call_application_accept(application=application, acting_user=request.user, reason=reason)
            messages.success(request, _("%(company)s was nominated; the company was told.") % names)
        else:
            services.call_application_reject(application=application, reason=reason, acting_user=request.user)
            messages.success(
                request, _("%(company)s's application was not accepted; the company was told.") % names
            )
    except ApplicationError as exc:
        form_error(form, exc)
        return render(request, "calls/application.html", context, status=error_status(exc))
    return redirect("calls:applications", pk=application.call_id)


@role_required(Role.COMPANY)
@require_POST
def application_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.access_application(user=request.user, pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Withdraw your application to “%(call)s”?") % {"call": application.call.title},
                consequences=[_("The body will not screen it; you cannot apply to this call again.")],
                action=reverse("calls:withdraw", args=[application.pk]),
                button=_("Withdraw"),
                cancel_url=reverse("calls:mine"),
            ),
        )
    try:
        services.call_application_withdraw(application=application, acting_user=request.user)
        messages.success(request, _("Your application was withdrawn."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("calls:mine")


@role_required(CALL_READERS | {Role.COMPANY})
def document_download(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.access_document(user=request.user, pk=pk)
    doc_type = TYPES.get(document.kind)
    name = clean_name(document.name, doc_type) if doc_type else document.name
    with document.file.open("rb") as f:  # at most DOCUMENT_MAX_BYTES
        response = HttpResponse(f.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
