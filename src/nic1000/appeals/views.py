"""Appeal pages: thin — parse input, call one service or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nic1000.accounts.http import AuthedRequest
from nic1000.appeals import selectors, services
from nic1000.appeals.decisions import appealable_decisions, decision_for, open_appeal_for, window_days
from nic1000.appeals.forms import AppealForm, DecideForm, DocumentForm, WindowForm, WithdrawForm
from nic1000.appeals.models import OPEN_STATES, Appeal, DecisionKind
from nic1000.appeals.workflows import APPEAL, state_label
from nic1000.core.access import role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError, NotFound
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, Role
from nic1000.core.sorting import DESC, SortSpec, sort_from

QUEUE_SORT = SortSpec(
    columns={"filed": ("filed_at", "id"), "company": ("company__name_ko", "id"), "state": ("state", "id")},
    default="filed",
    default_dir=DESC,
)
DECIDERS = (Role.PROGRAM_OFFICE, Role.INSTITUTION_OFFICER)


def _form_errors(form: forms.Form, exc: ApplicationError) -> None:
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, str(d.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def _company_id(request: AuthedRequest) -> int:
    if request.user.company_id is None:
        raise Http404
    return int(request.user.company_id)


@role_required(Role.COMPANY)
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    ctx = {
        "appeals": selectors.appeal_list(user=request.user)[:200],
        "decisions": appealable_decisions(company_id=_company_id(request)),
    }
    return render(request, "appeals/mine.html", ctx)


@role_required(Role.COMPANY)
@require_http_methods(["GET", "POST"])
def file_appeal(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in DecisionKind.values:
        raise Http404
    decision = decision_for(kind=kind, target_id=pk, company_id=_company_id(request))
    if decision is None:
        raise Http404
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data.get("document")
        try:
            appeal = services.appeal_file(
                kind=kind,
                target_id=pk,
                reasons=form.cleaned_data["reasons"],
                documents=[document] if document else [],
                acting_user=request.user,
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your appeal %(appeal)s was filed; the deciding body was told.") % {"appeal": appeal},
            )
            return redirect("appeals:detail", pk=appeal.pk)
    status = 422 if request.method == "POST" else 200
    ctx = {"form": form, "decision": decision, "open_appeal": open_appeal_for(kind=kind, target_id=pk)}
    return render(request, "appeals/file.html", ctx, status=status)


@role_required(selectors.QUEUE_READERS)
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in APPEAL.states:
        state = ""
    sort = sort_from(request.GET, QUEUE_SORT)
    qs = sort.apply(selectors.appeal_list(user=request.user, state=state))
    ctx = {
        "page_obj": paginate(qs, request.GET.get("page"), 50),
        "sort": sort,
        "state": state,
        "states": list(APPEAL.states.items()),
    }
    return render(request, "appeals/queue.html", ctx)


def _detail(
    request: AuthedRequest, appeal: Appeal, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    own = request.user.role == Role.COMPANY and request.user.company_id == appeal.company_id
    is_open = appeal.state in OPEN_STATES
    ctx = {
        "appeal": appeal,
        "state_label": state_label(appeal.state),
        "subject": selectors.subject(appeal),
        "documents": list(appeal.documents.all()),
        "history": selectors.appeal_history(appeal=appeal),
        "can_withdraw": own and is_open,
        "can_add_document": own and is_open,
        "can_decide": is_open and selectors.is_decider(appeal=appeal, user=request.user),
        "document_form": bound.get("document_form") or DocumentForm(),
        "withdraw_form": bound.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "appeals/detail.html", ctx, status=status)


@role_required(selectors.APPEAL_READERS)
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_appeal(user=request.user, pk=pk))


@role_required(Role.COMPANY)
@require_POST
def document_add(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = selectors.access_appeal(user=request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.appeal_document_add(
                appeal=appeal, document=form.cleaned_data["document"], acting_user=request.user
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The document was added to the appeal."))
            return redirect("appeals:detail", pk=appeal.pk)
    return _detail(request, appeal, status=422, document_form=form)


@role_required(Role.COMPANY)
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = selectors.access_appeal(user=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        if not is_confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("Withdraw appeal %(appeal)s?") % {"appeal": appeal},
                    consequences=[
                        _("The appeal ends without a decision; the decision it was about stands."),
                        _("The window to appeal closes on %(deadline)s; a new appeal is possible until then.")
                        % {"deadline": timezone.localtime(appeal.deadline).strftime("%Y-%m-%d %H:%M")},
                    ],
                    action=reverse("appeals:withdraw", kwargs={"pk": appeal.pk}),
                    button=_("Withdraw the appeal"),
                    cancel_url=reverse("appeals:detail", kwargs={"pk": appeal.pk}),
                ),
            )
        try:
            services.appeal_withdraw(
                appeal=appeal, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your appeal %(appeal)s was withdrawn.") % {"appeal": appeal})
            return redirect("appeals:detail", pk=appeal.pk)
    return _detail(request, appeal, status=422, withdraw_form=form)


def _effect(appeal: Appeal) -> str:
    """What upholding this appeal will do, in the reader's language."""
    company = appeal.company.name_ko
    if appeal.kind == DecisionKind.NON_SELECTION:
        return _(
            "A new evaluator without a conflict of interest, who has not evaluated it before, is assigned to "
            "re-score the candidacy of %(company)s."
        ) % {"company": company}
    if appeal.kind == DecisionKind.INELIGIBILITY:
        return _(
            "The candidacy of %(company)s is marked eligible for the committee (eligibility re-checked)."
        ) % {"company": company}
    if appeal.kind == DecisionKind.REMOVAL:
        return _("The designation of %(company)s is reinstated.") % {"company": company}
    return _("Application %(application)s goes back to review at your institution.") % {
        "application": str(appeal.application)
    }


@role_required(*DECIDERS)
@require_http_methods(["GET", "POST"])
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = selectors.access_appeal(user=request.user, pk=pk)
    form = DecideForm(request.POST or None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "start_review":
        try:
            services.appeal_start_review(appeal=appeal, acting_user=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("appeals:detail", pk=appeal.pk)
        messages.success(request, _("The review of appeal %(appeal)s started.") % {"appeal": appeal})
        return redirect("appeals:decide", pk=appeal.pk)
    if request.method == "POST":
        status = 422
        try:  # a body that did not make the decision is told so before any confirmation
            services.deciding_body_check(appeal=appeal, acting_user=request.user)
        except ApplicationError as exc:
            form.is_valid()
            form.add_error(None, str(exc))
            status = 403
        if status == 422 and form.is_valid():
            upheld = form.cleaned_data["decision"] == "uphold"
            if not is_confirmed(request):
                return confirmation_page(
                    request,
                    Confirmation(
                        title=(_("Uphold appeal %(appeal)s?") if upheld else _("Dismiss appeal %(appeal)s?"))
                        % {"appeal": appeal},
                        consequences=[
                            _effect(appeal) if upheld else _("The decision stands."),
                            _("%(company)s is told the outcome and your reasons.")
                            % {"company": appeal.company.name_ko},
                        ],
                        action=reverse("appeals:decide", kwargs={"pk": appeal.pk}),
                        button=_("Uphold the appeal") if upheld else _("Dismiss the appeal"),
                        cancel_url=reverse("appeals:decide", kwargs={"pk": appeal.pk}),
                    ),
                )
            try:
                services.appeal_decide(
                    appeal=appeal,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except ApplicationError as exc:
                _form_errors(form, exc)
            else:
                done = (
                    _("Appeal %(appeal)s was upheld and the decision reopened; the company was told.")
                    if upheld
                    else _("Appeal %(appeal)s was dismissed; the company was told.")
                )
                messages.success(request, done % {"appeal": appeal})
                return redirect("appeals:detail", pk=appeal.pk)
    ctx = {
        "appeal": appeal,
        "form": form,
        "subject": selectors.subject(appeal),
        "state_label": state_label(appeal.state),
        "documents": list(appeal.documents.all()),
        "is_decider": selectors.is_decider(appeal=appeal, user=request.user),
        "effect": _effect(appeal),
    }
    return render(request, "appeals/decide.html", ctx, status=status)


@role_required(selectors.APPEAL_READERS)
@require_GET
def document_download(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = selectors.access_document(user=request.user, pk=pk)
    try:
        with doc.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=doc.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=doc.name) or ""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def windows(request: AuthedRequest) -> HttpResponse:
    current = window_days()
    form = WindowForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = 0
            for kind in DecisionKind.values:
                if form.cleaned_data[kind] != current[kind]:
                    services.appeal_window_set(
                        kind=kind, days=form.cleaned_data[kind], acting_user=request.user
                    )
                    changed += 1
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Appeal windows saved (%(n)s changed).") % {"n": changed})
            return redirect("appeals:windows")
    status = 422 if request.method == "POST" else 200
    return render(request, "appeals/windows.html", {"form": form}, status=status)
