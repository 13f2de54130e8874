"""The half-yearly re-evaluation pages (issue 15.3): the periods and what is due, a body's re-evaluation form,
one re-evaluation with the office's decision. Thin: one selector or service each."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.core.access import has_role, role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import MONITORING_READERS, OFFICE, Role
from nic1000.designations import reevaluations as designation_reevaluations
from nic1000.designations import selectors as designation_selectors
from nic1000.designations.models import Membership, Reevaluation
from nic1000.monitoring.forms_reevaluation import DecisionForm, PeriodOpenForm, ReevaluationForm
from nic1000.monitoring.services.reevaluations import reevaluation_decide


def _acting(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _form_errors(form: DecisionForm | PeriodOpenForm | ReevaluationForm, exc: ApplicationError) -> None:
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, str(d.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def _list_page(
    request: HttpRequest, period_form: PeriodOpenForm | None = None, status: int = 200
) -> HttpResponse:
    user = _acting(request)
    period = designation_selectors.current_period()
    due = (
        list(designation_selectors.due_memberships(period=period, body_id=user.body_id)[:500])
        if period is not None and user.role == Role.MINISTRY_OFFICER and user.body_id
        else []
    )
    reevaluations = designation_selectors.reevaluations_visible(user=user)
    context = {
        "period": period,
        "due": due,
        "reevaluations": reevaluations.filter(period=period)[:500] if period else [],
        "period_form": period_form or PeriodOpenForm(),
        "can_open": has_role(user, OFFICE),
    }
    return render(request, "monitoring/reevaluations.html", context, status=status)


@role_required(MONITORING_READERS)
def reevaluation_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@role_required(OFFICE)
@require_POST
def reevaluation_period_open(request: HttpRequest) -> HttpResponse:
    form = PeriodOpenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=422)
    try:
        period = designation_reevaluations.reevaluation_period_open(
            acting_user=_acting(request), **form.cleaned_data
        )
    except ApplicationError as exc:
        _form_errors(form, exc)
        return _list_page(request, form, status=422)
    messages.success(
        request,
        _("The re-evaluation of %(half)s is open; the nominating bodies were told.") % {"half": period.half},
    )
    return redirect("monitoring:reevaluation_list")


@role_required({Role.MINISTRY_OFFICER})
def reevaluation_file(request: HttpRequest, pk: int) -> HttpResponse:
    user = _acting(request)
    period = designation_selectors.current_period()
    if period is None:
        messages.error(request, _("No re-evaluation is open."))
        return redirect("monitoring:reevaluation_list")
    membership: Membership = designation_selectors.access_due_membership(user=user, period=period, pk=pk)
    form = ReevaluationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                designation_reevaluations.reevaluation_file(
                    period=period,
                    membership=membership,
                    ratings=form.ratings(),
                    recommendation=form.cleaned_data["recommendation"],
                    acting_user=user,
                )
            except ApplicationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The re-evaluation of %(company)s was filed; the programme office decides.")
                    % {"company": membership.company.name_ko},
                )
                return redirect("monitoring:reevaluation_list")
    context = {"form": form, "membership": membership, "period": period}
    return render(request, "monitoring/reevaluation_form.html", context, status=status)


def _detail_page(
    request: HttpRequest, reevaluation: Reevaluation, form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "r": reevaluation,
        "form": form or DecisionForm(),
        "can_decide": has_role(request.user, OFFICE) and not reevaluation.decision,
    }
    return render(request, "monitoring/reevaluation.html", context, status=status)


@role_required(MONITORING_READERS)
def reevaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = designation_selectors.access_reevaluation(user=_acting(request), pk=pk)
    return _detail_page(request, r)


@role_required(OFFICE)
@require_POST
def reevaluation_decision(request: HttpRequest, pk: int) -> HttpResponse:
    user = _acting(request)
    r = designation_selectors.access_reevaluation(user=user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, r, form, status=422)
    decision = form.cleaned_data["decision"]
    company = r.membership.company.name_ko
    if not is_confirmed(request):
        url = reverse("monitoring:reevaluation_detail", kwargs={"pk": r.pk})
        remove = decision == Reevaluation.Decision.REMOVE
        consequences = (
            [
                _("%(company)s is removed from the programme today; its policy finance ends.")
                % {"company": company},
                _("%(body)s gets the place back to refill in its next round.") % {"body": r.body.name_ko},
                _("The company and the body are told."),
            ]
            if remove
            else [
                _("%(company)s stays designated.") % {"company": company},
                _("The company and the body are told."),
            ]
        )
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove %(company)s?") % {"company": company}
                if remove
                else _("Continue the designation of %(company)s?") % {"company": company},
                consequences=consequences,
                action=reverse("monitoring:reevaluation_decision", kwargs={"pk": r.pk}),
                button=_("Remove") if remove else _("Continue"),
                cancel_url=url,
            ),
        )
    try:
        reevaluation_decide(
            reevaluation=r,
            decision=decision,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            acting_user=user,
        )
    except ApplicationError as exc:
        _form_errors(form, exc)
        return _detail_page(request, r, form, status=422)
    if decision == Reevaluation.Decision.REMOVE:
        messages.success(
            request,
            _(
                "%(company)s was removed; the vacancy counts for its body's next round; the company and the body were told."
            )
            % {"company": company},
        )
    else:
        messages.success(
            request,
            _("%(company)s stays designated; the company and the body were told.") % {"company": company},
        )
    return redirect("monitoring:reevaluation_detail", pk=r.pk)
