"""Monitoring pages of the support group's follow-up: a support case opened by hand, and the monthly survey's
follow-up (who has not answered, reminding them, the response rate per month). Thin, like `views`."""

from __future__ import annotations

from typing import Any

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
from nic1000.core.identifiers import brn_format
from nic1000.core.listing import rows_of, wants_xlsx, xlsx_response
from nic1000.core.pagination import paginate
from nic1000.core.roles import MONITORING_ACTORS, MONITORING_READERS
from nic1000.designations.models import Membership
from nic1000.monitoring import selectors
from nic1000.monitoring.forms import CaseOpenForm, SurveyFollowupForm, SurveyRemindForm
from nic1000.monitoring.periods import period_of
from nic1000.monitoring.services import cases, surveys

RATE_MONTHS = 12


def _acting(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


# ---------------------------------------------------------------- a support case opened by hand


@role_required(MONITORING_ACTORS)
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a support case for a designated company (from its monitoring page: `?company=<id>`, or from the
    case list by registration number). The same rule as the inspection's cases: one active case a company."""
    initial: dict[str, Any] = {}
    company_pk = request.GET.get("company", "")
    if company_pk.isdigit():
        initial["company"] = selectors.access_company_monitoring(
            user=request.user, pk=int(company_pk)
        ).brn_display
    form = CaseOpenForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = selectors.company_by_brn(brn=data["company"])
        if company is None:
            form.add_error("company", _("No company in the registry has this registration number."))
        else:
            try:
                case = cases.case_open(
                    company=company,
                    level=data["level"],
                    summary=data["summary"],
                    due_on=data["due_on"],
                    acting_user=_acting(request),
                )
            except ApplicationError as exc:
                placed = False
                for d in exc.details:
                    if d.field in form.fields:
                        form.add_error(d.field, str(d.message))
                        placed = True
                if not placed:
                    form.add_error("company" if exc.code == "case_exists" else None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Support case #%(case)s was opened for %(company)s; the support group and the company were notified."
                    )
                    % {"case": case.pk, "company": company.name_ko},
                )
                return redirect("monitoring:case_detail", pk=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/case_open.html", {"form": form}, status=status)


# ---------------------------------------------------------------- the monthly survey's follow-up


def _months_up_to(period: str, n: int) -> list[str]:
    year, month = int(period[:4]), int(period[5:7])
    out = []
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def _non_responders_xlsx(*, period: str, rows: Any) -> HttpResponse:
    header = [_("Month"), _("Company"), _("BRN"), _("Nominating body"), _("Designated on"), _("Status")]

    def row(m: Membership) -> list[object]:
        return [
            period,
            m.company.name_ko,
            brn_format(m.company.brn),
            m.body.code,
            m.selected_on,
            m.get_status_display(),
        ]

    return xlsx_response(name="survey-non-responders", header=header, rows=rows_of(rows, row))


@role_required(MONITORING_READERS)
def survey_followup(request: HttpRequest) -> HttpResponse:
    """For a month (this one by default): the designated companies that have not answered its monthly survey,
    the button to remind them all, and the response rate of the twelve months up to it."""
    form = SurveyFollowupForm(request.GET or None, bodies=selectors.body_choices(user=request.user))
    data = form.cleaned_data if form.is_valid() else {}
    current = period_of()
    period = min(data.get("period") or current, current)
    qs = selectors.survey_non_responders(
        user=request.user, period=period, body=data.get("body") or "", q=data.get("q") or ""
    )
    if wants_xlsx(request):
        return _non_responders_xlsx(period=period, rows=qs)
    rates = selectors.survey_response_rates(user=request.user, periods=_months_up_to(period, RATE_MONTHS))
    can_remind = has_role(request.user, MONITORING_ACTORS)
    ctx = {
        "form": form,
        "period": period,
        "page_obj": paginate(qs, request.GET.get("page"), 50),
        "rates": rates,
        "rate_data": [
            {"period": r.period, "rate": round(r.rate * 100, 1) if r.rate is not None else None}
            for r in rates
        ],
        "can_remind": can_remind,
        "to_remind": (
            selectors.survey_non_responders(user=None, period=period, active_only=True).count()
            if can_remind
            else 0
        ),
        "remind_form": SurveyRemindForm(initial={"period": period}),
    }
    return render(request, "monitoring/survey_followup.html", ctx)


@role_required(MONITORING_ACTORS)
@require_POST
def survey_remind(request: HttpRequest) -> HttpResponse:
    """Remind every active company without an answer for the month: asks first (how many), reports after."""
    form = SurveyRemindForm(request.POST)
    back = reverse("monitoring:survey_followup")
    if not form.is_valid():
        messages.error(request, _("Enter the month as YYYY-MM."))
        return redirect(back)
    period = form.cleaned_data["period"]
    back = f"{back}?period={period}"
    if not is_confirmed(request):
        n = selectors.survey_non_responders(user=None, period=period, active_only=True).count()
        overdue = period < period_of()
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remind the %(n)s companies that have not answered the survey for %(period)s?")
                % {"n": n, "period": period},
                consequences=[
                    (
                        _("The representatives of %(n)s companies are told that the survey is overdue.")
                        if overdue
                        else _(
                            "The representatives of %(n)s companies are reminded to answer it by the end of the month."
                        )
                    )
                    % {"n": n},
                    _("A company reminded today is not reminded again today."),
                ],
                action=reverse("monitoring:survey_remind"),
                button=_("Send the reminders"),
                cancel_url=back,
            ),
        )
    try:
        n, told = surveys.survey_remind_all(period=period, acting_user=_acting(request))
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        _("%(told)s representatives of the %(n)s companies without an answer for %(period)s were reminded.")
        % {"period": period, "n": n, "told": told},
    )
    return redirect(back)
