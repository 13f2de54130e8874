"""Monitoring pages: thin — parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.core.access import has_role, role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import MONITORING_ACTORS, MONITORING_READERS, OFFICE, PROGRAMME_READERS, Role
from nic1000.core.sorting import sort_from
from nic1000.monitoring import company_side, questions, selectors
from nic1000.monitoring.exports import (
    CASE_SORT,
    REMOVAL_SORT,
    RESULT_SORT,
    cases_xlsx,
    removals_xlsx,
    results_xlsx,
    surveys_xlsx,
)
from nic1000.monitoring.forms import (
    BaseRateForm,
    CaseActionForm,
    CaseAssignForm,
    CaseFilterForm,
    CaseTransitionForm,
    DifficultySurveyForm,
    MonthlySurveyForm,
    PeriodForm,
    RemovalForm,
    ResultFilterForm,
    ReviewForm,
    StatementForm,
    StatementUploadForm,
)
from nic1000.monitoring.models import InspectionRun, SupportCase
from nic1000.monitoring.periods import due_fiscal_year, half_of, period_of
from nic1000.monitoring.services import cases, removals, risk, surveys
from nic1000.monitoring.tasks import inspection_enqueue
from nic1000.monitoring.workflows import ACTIVE_STATES, CASE_WORKFLOW
from nic1000.registry.models import Company

SURVEY_READERS = MONITORING_READERS | {Role.COMPANY}


def _acting(request: HttpRequest) -> User:
    """The signed-in user (the pages below are all behind `role_required`)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _form_errors(
    form: forms.Form, exc: ApplicationError, field_for_code: dict[str, str] | None = None
) -> None:
    """Put a service's error details on the form's fields (or on the form)."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, str(d.message))
            placed = True
    if not placed:
        form.add_error((field_for_code or {}).get(exc.code), str(exc))


def _trend_data(company_id: int) -> list[dict[str, object]]:
    """The risk trend as plain data: the template's `json_script` encodes it once (encoding it here too made
    the page's script receive a string, and the chart never drew)."""
    trend = selectors.risk_trend(company_id=company_id)
    return [{"period": t.period, "p": t.probability, "level": t.level} for t in trend]


# ---------------------------------------------------------------- inspections


@role_required(MONITORING_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = ResultFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or selectors.latest_period()
    qs = selectors.result_list(
        user=request.user, period=period, level=data.get("level", ""), q=data.get("q", "")
    )
    sort = sort_from(request.GET, RESULT_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return results_xlsx(results=qs)
    ctx = {
        "form": form,
        "sort": sort,
        "page_obj": (page_obj := paginate(qs, request.GET.get("page"), 50)),
        "risk": selectors.with_programme_risk(page_obj),
        "period": period,
        "counts": selectors.level_counts(user=request.user, period=period) if period else {},
        "can_run": has_role(request.user, MONITORING_ACTORS),
    }
    template = "monitoring/_results.html" if getattr(request, "htmx", False) else "monitoring/dashboard.html"
    return render(request, template, ctx)


def _runs_page(
    request: HttpRequest, form: PeriodForm, page: str | int | None, status: int = 200
) -> HttpResponse:
    ctx = {
        "page_obj": paginate(selectors.run_list(), page, 24),
        "form": form,
        "can_run": has_role(request.user, MONITORING_ACTORS),
        "vacancies": selectors.vacancies_for_next_round(),
    }
    return render(request, "monitoring/runs.html", ctx, status=status)


@role_required(MONITORING_READERS)
def run_list(request: HttpRequest) -> HttpResponse:
    return _runs_page(request, PeriodForm(initial={"period": period_of()}), request.GET.get("page"))


@role_required(MONITORING_ACTORS)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            run = inspection_enqueue(period=form.cleaned_data["period"], acting_user=_acting(request))
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            if run.status == InspectionRun.Status.DONE and run.explained_at is not None:
                messages.info(request, _("The inspection of this period is already done; nothing changed."))
            else:
                messages.success(
                    request, _("The inspection was queued; the worker runs it in the background.")
                )
            return redirect("monitoring:run_list")
    return _runs_page(request, form, 1, status=422)


@role_required(MONITORING_READERS)
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.access_company_monitoring(user=request.user, pk=pk)
    results = list(selectors.results_for_company(company_id=company.pk)[:24])
    latest = results[0] if results else None
    company_cases = list(selectors.case_list(user=request.user).filter(company=company))
    memberships = list(selectors.memberships_of(company=company))
    ctx = {
        "risk": selectors.with_programme_risk(results),
        "company": company,
        "results": results,
        "latest": latest,
        "explanation": selectors.explanation(result=latest) if latest else None,
        "trend_data": _trend_data(company.pk),
        "cases": company_cases,
        "exposure": selectors.exposure(company_id=company.pk),
        "memberships": memberships,
        "can_remove": has_role(request.user, OFFICE),
        "can_open_case": has_role(request.user, MONITORING_ACTORS)
        and any(m.status == "active" for m in memberships)
        and not any(c.state in ACTIVE_STATES for c in company_cases),
    }
    return render(request, "monitoring/company.html", ctx)


# ---------------------------------------------------------------- cases


@role_required(MONITORING_READERS)
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, states=CASE_WORKFLOW.states)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.case_list(user=request.user, state=data.get("state") or "", q=data.get("q") or "")
    sort = sort_from(request.GET, CASE_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return cases_xlsx(cases=qs)
    ctx = {
        "page_obj": paginate(qs, request.GET.get("page"), 50),
        "form": form,
        "sort": sort,
        "can_open": has_role(request.user, MONITORING_ACTORS),
    }
    return render(request, "monitoring/cases.html", ctx)


def _case_page(
    request: HttpRequest, case: SupportCase, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The case page; `bound` are forms posted with errors, shown instead of fresh ones."""
    can_act = has_role(request.user, MONITORING_ACTORS)
    role = _acting(request).role
    ctx = {
        "case": case,
        "state_label": case.state_label,
        "history": selectors.case_history(case=case),
        "exposure": selectors.exposure(company_id=case.company_id),
        "trend_data": _trend_data(case.company_id),
        "transitions": CASE_WORKFLOW.available(case.state, [role]) if can_act else [],
        "can_act": can_act and case.state != "closed",
        "assign_form": bound.get("assign_form")
        or CaseAssignForm(initial={"owner": case.owner_id, "due_on": case.due_on}),
        "action_form": bound.get("action_form") or CaseActionForm(),
        "transition_form": bound.get("transition_form") or CaseTransitionForm(),
        "latest": selectors.results_for_company(company_id=case.company_id).first(),
    }
    return render(request, "monitoring/case.html", ctx, status=status)


@role_required(MONITORING_READERS)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.access_case(user=request.user, pk=pk))


# A case form's work: (case, cleaned data, acting user) -> calls one service.
CaseWork = Callable[[SupportCase, dict[str, Any], User], object]


def _case_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    form_key: str,
    work: CaseWork,
    done: str,
    field_for_code: dict[str, str] | None = None,
    confirm: Callable[[SupportCase, dict[str, Any]], Confirmation | None] | None = None,
) -> HttpResponse:
    """Post one of the case page's forms: on success a message and back to the case, else the page (422).
    `confirm` gives the confirmation an irreversible step asks for first (None: no question)."""
    case = selectors.access_case(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        question = confirm(case, form.cleaned_data) if confirm is not None else None
        if question is not None and not is_confirmed(request):
            return confirmation_page(request, question)
        try:
            work(case, form.cleaned_data, _acting(request))
        except ApplicationError as exc:
            _form_errors(form, exc, field_for_code)
        else:
            messages.success(request, done)
            return redirect("monitoring:case_detail", pk=case.pk)
    return _case_page(request, case, status=422, **{form_key: form})


@role_required(MONITORING_ACTORS)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def work(case: SupportCase, data: dict[str, Any], user: User) -> object:
        return cases.case_assign(case=case, owner=data["owner"], due_on=data["due_on"], acting_user=user)

    return _case_post(
        request, pk, form_class=CaseAssignForm, form_key="assign_form", work=work, done=_("Saved.")
    )


@role_required(MONITORING_ACTORS)
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    def work(case: SupportCase, data: dict[str, Any], user: User) -> object:
        return cases.case_action_add(
            case=case,
            kind=data["kind"],
            note=data["note"],
            institution=data.get("institution"),
            acting_user=user,
        )

    return _case_post(
        request,
        pk,
        form_class=CaseActionForm,
        form_key="action_form",
        work=work,
        done=_("The action was recorded."),
    )


@role_required(MONITORING_ACTORS)
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    def work(case: SupportCase, data: dict[str, Any], user: User) -> object:
        return cases.case_transition(
            case=case, transition=data["transition"], reason=data.get("reason", ""), acting_user=user
        )

    def confirm(case: SupportCase, data: dict[str, Any]) -> Confirmation | None:
        reason = str(data.get("reason") or "").strip()
        if data["transition"] != "close" or not reason:  # a missing reason is refused by the service
            return None
        return Confirmation(
            title=_("Close support case #%(case)s for %(company)s?")
            % {"case": case.pk, "company": case.company},
            consequences=[
                _(
                    "The case is closed for good: no more actions, owner or due-date changes, and it cannot be reopened."
                ),
                _("The reason is kept in the case history: %(reason)s") % {"reason": reason},
                _("The company can get a new support case later, by hand or from an inspection."),
            ],
            action=reverse("monitoring:case_transition", args=[case.pk]),
            button=_("Close the case"),
            cancel_url=reverse("monitoring:case_detail", args=[case.pk]),
        )

    closing = request.POST.get("transition") == "close"
    return _case_post(
        request,
        pk,
        form_class=CaseTransitionForm,
        form_key="transition_form",
        work=work,
        done=_("The case was closed.") if closing else _("The case moved on."),
        field_for_code={"reason_required": "reason"},
        confirm=confirm,
    )


# ---------------------------------------------------------------- surveys


@role_required(SURVEY_READERS)
def survey_list(request: HttpRequest) -> HttpResponse:
    lists = selectors.survey_lists(user=request.user)
    if wants_xlsx(request):
        return surveys_xlsx(monthly=lists.monthly, difficulty=lists.difficulty)
    ctx = {
        "monthly": lists.monthly[:200],
        "difficulty": lists.difficulty[:200],
        "is_company": has_role(request.user, {Role.COMPANY}),
        "can_review": has_role(request.user, MONITORING_ACTORS),
        "review_form": ReviewForm(),
    }
    return render(request, "monitoring/surveys.html", ctx)


@dataclass(frozen=True)
class SurveyKind:
    """What differs between the company's two surveys: the form, the period field and its default, the
    service and the page title. One view (`survey_submit`) serves both."""

    form: type[forms.Form]
    period_field: str  # "period" (YYYY-MM) or "half" (2026H1)
    default_period: Callable[[], str]
    submit: Callable[..., object]
    title: Promise


SURVEY_KINDS: dict[str, SurveyKind] = {
    "monthly": SurveyKind(
        form=MonthlySurveyForm,
        period_field="period",
        default_period=period_of,
        submit=surveys.monthly_survey_submit,
        title=gettext_lazy("Monthly status survey"),
    ),
    "difficulty": SurveyKind(
        form=DifficultySurveyForm,
        period_field="half",
        default_period=half_of,
        submit=surveys.difficulty_survey_submit,
        title=gettext_lazy("Six-monthly difficulty survey"),
    ),
}


@role_required(Role.COMPANY)
def survey_submit(request: HttpRequest, kind: str) -> HttpResponse:
    """The company fills in its monthly status or six-monthly difficulty survey (`kind` from the URL)."""
    spec = SURVEY_KINDS.get(kind)
    if spec is None:
        raise Http404
    company = _company_of(request)
    form = spec.form(request.POST or None, initial={spec.period_field: spec.default_period()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spec.submit(
                company=company,
                values=data,
                acting_user=_acting(request),
                **{spec.period_field: data[spec.period_field]},
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the survey was submitted."))
            return redirect("monitoring:survey_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/survey_form.html", {"form": form, "title": spec.title}, status=status)


@role_required(MONITORING_ACTORS)
@require_POST
def survey_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    survey = selectors.access_survey(user=request.user, kind=kind, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            surveys.survey_review(survey=survey, note=form.cleaned_data["note"], acting_user=_acting(request))
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Marked as reviewed."))
    return redirect("monitoring:survey_list")


# ---------------------------------------------------------------- removal and vacancies


@role_required(PROGRAMME_READERS)
def removal_list(request: HttpRequest) -> HttpResponse:
    sort = sort_from(request.GET, REMOVAL_SORT)
    qs = sort.apply(selectors.removal_list())
    if wants_xlsx(request):
        return removals_xlsx(removals=qs)
    ctx = {
        "sort": sort,
        "removals": qs[:500],
        "vacancies": selectors.vacancies_for_next_round(),
        "by_body": selectors.vacancies_by_body_for_next_round(),
    }
    return render(request, "monitoring/removals.html", ctx)


@role_required(OFFICE)
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.access_membership(user=request.user, pk=pk)
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not is_confirmed(request):
            return confirmation_page(request, questions.removal(membership, form.cleaned_data["reason"]))
        try:
            removals.membership_remove(
                membership=membership,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                acting_user=_acting(request),
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(company)s was removed from the programme on %(on)s; the company and %(body)s were notified,"
                    " and the vacancy counts for the next round."
                )
                % {
                    "company": membership.company,
                    "on": timezone.localdate().isoformat(),
                    "body": membership.body,
                },
            )
            return redirect("monitoring:removal_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/remove.html", {"form": form, "membership": membership}, status=status)


# ---------------------------------------------------------------- company side: statements


def _company_of(request: HttpRequest) -> Company:
    company = _acting(request).company
    if company is None:
        raise Http404
    return company


@role_required(Role.COMPANY)
def statements(request: HttpRequest) -> HttpResponse:
    company = _company_of(request)
    expected = due_fiscal_year(period_of())
    rows = list(selectors.statements_for_company(company_id=company.pk))
    ctx = {
        "statements": rows,
        "expected": expected,
        "missing": expected not in {s.fiscal_year for s in rows},
        "form": StatementForm(initial={"fiscal_year": expected}),
        "upload_form": StatementUploadForm(),
    }
    return render(request, "monitoring/statements.html", ctx)


@role_required(Role.COMPANY)
def statement_submit(request: HttpRequest) -> HttpResponse:
    company = _company_of(request)
    form = StatementForm(request.POST or None, initial={"fiscal_year": due_fiscal_year(period_of())})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fiscal_year = data.pop("fiscal_year")
        try:
            company_side.statement_submit_own(
                company=company, fiscal_year=fiscal_year, values=data, acting_user=_acting(request)
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your statements were submitted."))
            return redirect("monitoring:statements")
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/statement_form.html", {"form": form}, status=status)


@role_required(Role.COMPANY)
@require_POST
def statement_upload(request: HttpRequest) -> HttpResponse:
    company = _company_of(request)
    form = StatementUploadForm(request.POST, request.FILES)
    problems: list[dict[str, Any]] = []
    if form.is_valid():
        try:
            outcome = company_side.statement_upload_own(
                company=company, upload=form.cleaned_data["file"], acting_user=_acting(request)
            )
        except ApplicationError as exc:
            form.add_error("file", str(exc))
            problems = [d.as_dict() for d in exc.details]
        else:
            messages.success(request, _("The file was imported: %(n)s statements.") % {"n": outcome})
            return redirect("monitoring:statements")
    ctx = {"form": form, "problems": problems, "now": timezone.now()}
    return render(request, "monitoring/statement_upload.html", ctx, status=422)


# ---------------------------------------------------------------- risk calibrated to the programme


def _risk_page(request: HttpRequest, form: BaseRateForm, status: int = 200) -> HttpResponse:
    risk = selectors.programme_risk_in_force()
    ctx = {
        "form": form,
        "risk": risk,
        "grades": selectors.grade_table(),
        "history": selectors.risk_calibration_history(),
        "can_change": has_role(request.user, MONITORING_ACTORS),
    }
    return render(request, "monitoring/risk.html", ctx, status=status)


@role_required(MONITORING_READERS)
def risk_calibration(request: HttpRequest) -> HttpResponse:
    return _risk_page(request, BaseRateForm())


@role_required(MONITORING_ACTORS)
@require_POST
def risk_calibration_change(request: HttpRequest) -> HttpResponse:
    """One of: set the base rate (form), estimate it from outcomes, or refit on outcomes; asks first with what
    would be put in force, then reports."""
    action = request.POST.get("action", "")
    if action not in ("set", "estimate", "refit"):
        raise Http404
    form = BaseRateForm(request.POST if action == "set" else None)
    if action == "set" and not form.is_valid():
        return _risk_page(request, form, status=422)
    rate = float(form.cleaned_data["base_rate_percent"]) / 100 if action == "set" else None
    try:
        if not is_confirmed(request):
            preview = risk.risk_preview(action=action, base_rate=rate)
            return confirmation_page(request, questions.risk_change(preview))
        if action == "set":
            row = risk.risk_base_rate_set(
                base_rate=float(rate or 0), acting_user=_acting(request), note=form.cleaned_data["note"]
            )
        elif action == "estimate":
            row = risk.risk_base_rate_estimate(acting_user=_acting(request))
        else:
            row = risk.risk_recalibrate(acting_user=_acting(request))
    except ApplicationError as exc:
        if action == "set":
            _form_errors(form, exc, {"base_rate_out_of_range": "base_rate_percent"})
        else:
            messages.error(request, str(exc))
        return _risk_page(request, form, status=exc.status if action != "set" else 422)
    messages.success(
        request,
        _(
            "The programme calibration is now: %(method)s. Grades and probabilities on every page use it; the"
            " support group and the programme office were notified."
        )
        % {"method": row.get_method_display()},
    )
    return redirect("monitoring:risk_calibration")
