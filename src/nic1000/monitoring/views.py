"""Monitoring pages: thin — parse input, call one service or selector, render."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.core.access import role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.monitoring import selectors, services
from nic1000.monitoring.forms import (
    CaseActionForm,
    CaseAssignForm,
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
from nic1000.monitoring.models import InspectionRun
from nic1000.monitoring.workflows import CASE_WORKFLOW

GROUP = (Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE)
READERS = (Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE, Role.AUDITOR, Role.MINISTRY_OFFICER)
SURVEY_READERS = (Role.COMPANY, Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE, Role.AUDITOR, Role.MINISTRY_OFFICER)


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _lang() -> str:
    return "ko" if (get_language() or "ko").startswith("ko") else "en"


def _form_errors(form: Any, exc: ApplicationError) -> None:
    """Put a service's error details on the form's fields (or on the form)."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, str(d.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc))


# ---------------------------------------------------------------- inspections


@role_required(*READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = ResultFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or selectors.latest_period()
    qs = selectors.result_list(
        user=request.user, period=period, level=data.get("level", ""), q=data.get("q", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = {}
    if period:
        base = selectors.result_list(user=request.user, period=period)
        for lv in ("normal", "watch", "warning", "critical"):
            counts[lv] = base.filter(level=lv).count()
    ctx = {
        "form": form,
        "page_obj": page,
        "period": period,
        "counts": counts,
        "can_run": _role(request) in GROUP,
    }
    template = "monitoring/_results.html" if getattr(request, "htmx", False) else "monitoring/dashboard.html"
    return render(request, template, ctx)


@role_required(*READERS)
def run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.run_list(), 24).get_page(request.GET.get("page"))
    form = PeriodForm(initial={"period": services.period_of()})
    return render(
        request,
        "monitoring/runs.html",
        {
            "page_obj": page,
            "form": form,
            "can_run": _role(request) in GROUP,
            "vacancies": selectors.vacancies_for_next_round(),
        },
    )


@role_required(*GROUP)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    from nic1000.monitoring.tasks import inspection_enqueue

    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            run = inspection_enqueue(period=form.cleaned_data["period"], acting_user=request.user)
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
    page = Paginator(selectors.run_list(), 24).get_page(1)
    return render(
        request,
        "monitoring/runs.html",
        {"page_obj": page, "form": form, "can_run": True, "vacancies": selectors.vacancies_for_next_round()},
        status=422,
    )


@role_required(*READERS)
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.access_company_monitoring(user=request.user, pk=pk)
    results = list(selectors.results_for_company(company_id=company.pk)[:24])
    latest = results[0] if results else None
    trend = selectors.risk_trend(company_id=company.pk)
    ctx = {
        "company": company,
        "results": results,
        "latest": latest,
        "explanation": selectors.explanation(result=latest, lang=_lang()) if latest else None,
        "trend_json": json.dumps([{"period": t.period, "p": t.probability, "level": t.level} for t in trend]),
        "cases": selectors.case_list(user=request.user).filter(company=company),
        "exposure": selectors.exposure(company_id=company.pk),
        "memberships": company.memberships.select_related("round", "body"),
        "can_remove": _role(request) == Role.PROGRAM_OFFICE,
    }
    return render(request, "monitoring/company.html", ctx)


# ---------------------------------------------------------------- cases


@role_required(*READERS)
def case_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state and state not in CASE_WORKFLOW.states:
        state = ""
    page = Paginator(selectors.case_list(user=request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "monitoring/cases.html", {"page_obj": page, "state": state, "states": CASE_WORKFLOW.states}
    )


def _case_context(request: HttpRequest, case: Any, **forms: Any) -> dict[str, Any]:
    trend = selectors.risk_trend(company_id=case.company_id)
    can_act = _role(request) in GROUP
    return {
        "case": case,
        "state_label": CASE_WORKFLOW.states.get(case.state, case.state),
        "history": selectors.case_history(case=case),
        "exposure": selectors.exposure(company_id=case.company_id),
        "trend_json": json.dumps([{"period": t.period, "p": t.probability, "level": t.level} for t in trend]),
        "transitions": CASE_WORKFLOW.available(case.state, [_role(request)]) if can_act else [],
        "can_act": can_act and case.state != "closed",
        "assign_form": forms.get("assign_form")
        or CaseAssignForm(initial={"owner": case.owner_id, "due_on": case.due_on}),
        "action_form": forms.get("action_form") or CaseActionForm(),
        "transition_form": forms.get("transition_form") or CaseTransitionForm(),
        "latest": selectors.results_for_company(company_id=case.company_id).first(),
    }


@role_required(*READERS)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    return render(request, "monitoring/case.html", _case_context(request, case))


@role_required(*GROUP)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    form = CaseAssignForm(request.POST)
    if form.is_valid():
        try:
            services.case_assign(
                case=case,
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                acting_user=request.user,
            )
            messages.success(request, _("Saved."))
            return redirect("monitoring:case_detail", pk=case.pk)
        except ApplicationError as exc:
            _form_errors(form, exc)
    return render(request, "monitoring/case.html", _case_context(request, case, assign_form=form), status=422)


@role_required(*GROUP)
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    form = CaseActionForm(request.POST)
    if form.is_valid():
        try:
            services.case_action_add(
                case=case,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                institution=form.cleaned_data.get("institution"),
                acting_user=request.user,
            )
            messages.success(request, _("The action was recorded."))
            return redirect("monitoring:case_detail", pk=case.pk)
        except ApplicationError as exc:
            _form_errors(form, exc)
    return render(request, "monitoring/case.html", _case_context(request, case, action_form=form), status=422)


@role_required(*GROUP)
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    form = CaseTransitionForm(request.POST)
    if form.is_valid():
        try:
            services.case_transition(
                case=case,
                transition=form.cleaned_data["transition"],
                reason=form.cleaned_data.get("reason", ""),
                acting_user=request.user,
            )
            messages.success(request, _("The case moved on."))
            return redirect("monitoring:case_detail", pk=case.pk)
        except ApplicationError as exc:
            form.add_error("reason" if exc.code == "reason_required" else None, str(exc))
    return render(
        request, "monitoring/case.html", _case_context(request, case, transition_form=form), status=422
    )


# ---------------------------------------------------------------- surveys


@role_required(*SURVEY_READERS)
def survey_list(request: HttpRequest) -> HttpResponse:
    lists = selectors.survey_lists(user=request.user)
    return render(
        request,
        "monitoring/surveys.html",
        {
            "monthly": lists["monthly"][:200],
            "difficulty": lists["difficulty"][:200],
            "is_company": _role(request) == Role.COMPANY,
            "can_review": _role(request) in GROUP,
            "review_form": ReviewForm(),
            "difficulty_labels": {
                k: (ko if _lang() == "ko" else en) for k, (en, ko) in services.DIFFICULTIES.items()
            },
        },
    )


@dataclass(frozen=True)
class SurveyKind:
    """What differs between the company's two surveys: the form, the period field and its default, the
    service and the page title. One view (`survey_submit`) serves both."""

    form: type[forms.Form]
    period_field: str  # "period" (YYYY-MM) or "half" (2026H1)
    default_period: Callable[[], str]
    submit: Callable[..., Any]
    title: Any  # lazy msgid


SURVEY_KINDS: dict[str, SurveyKind] = {
    "monthly": SurveyKind(
        form=MonthlySurveyForm,
        period_field="period",
        default_period=services.period_of,
        submit=services.monthly_survey_submit,
        title=gettext_lazy("Monthly status survey"),
    ),
    "difficulty": SurveyKind(
        form=DifficultySurveyForm,
        period_field="half",
        default_period=services.half_of,
        submit=services.difficulty_survey_submit,
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
                acting_user=request.user,
                **{spec.period_field: data[spec.period_field]},
            )
            messages.success(request, _("Thank you: the survey was submitted."))
            return redirect("monitoring:survey_list")
        except ApplicationError as exc:
            _form_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/survey_form.html", {"form": form, "title": spec.title}, status=status)


@role_required(*GROUP)
@require_POST
def survey_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    survey = selectors.access_survey(user=request.user, kind=kind, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.survey_review(survey=survey, note=form.cleaned_data["note"], acting_user=request.user)
            messages.success(request, _("Marked as reviewed."))
        except ApplicationError as exc:
            messages.error(request, str(exc))
    return redirect("monitoring:survey_list")


# ---------------------------------------------------------------- removal and vacancies


@role_required(Role.PROGRAM_OFFICE, Role.SUPPORT_GROUP, Role.AUDITOR)
def removal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/removals.html",
        {
            "removals": selectors.removal_list()[:500],
            "vacancies": selectors.vacancies_for_next_round(),
            "by_body": selectors.vacancies_by_body_for_next_round(),
        },
    )


@role_required(Role.PROGRAM_OFFICE)
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.access_membership(user=request.user, pk=pk)
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_remove(
                membership=membership,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
            messages.success(request, _("The company was removed; the vacancy counts for the next round."))
            return redirect("monitoring:removal_list")
        except ApplicationError as exc:
            _form_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/remove.html", {"form": form, "membership": membership}, status=status)


# ---------------------------------------------------------------- company side: statements


def _company_of(request: HttpRequest) -> Any:
    company = getattr(request.user, "company", None)
    if company is None:
        raise Http404
    return company


@role_required(Role.COMPANY)
def statements(request: HttpRequest) -> HttpResponse:
    company = _company_of(request)
    expected = services.expected_fiscal_year(services.period_of())
    rows = selectors.statements_for_company(company_id=company.pk)
    have = {s.fiscal_year for s in rows}
    return render(
        request,
        "monitoring/statements.html",
        {
            "statements": rows,
            "expected": expected,
            "missing": expected not in have,
            "form": StatementForm(initial={"fiscal_year": expected}),
            "upload_form": StatementUploadForm(),
        },
    )


@role_required(Role.COMPANY)
def statement_submit(request: HttpRequest) -> HttpResponse:
    from nic1000.monitoring import company_side

    company = _company_of(request)
    form = StatementForm(
        request.POST or None, initial={"fiscal_year": services.expected_fiscal_year(services.period_of())}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fy = data.pop("fiscal_year")
        try:
            company_side.statement_submit_own(
                company=company, fiscal_year=fy, values=data, acting_user=request.user
            )
            messages.success(request, _("Your statements were submitted."))
            return redirect("monitoring:statements")
        except ApplicationError as exc:
            _form_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "monitoring/statement_form.html", {"form": form}, status=status)


@role_required(Role.COMPANY)
@require_POST
def statement_upload(request: HttpRequest) -> HttpResponse:
    from nic1000.monitoring import company_side

    company = _company_of(request)
    form = StatementUploadForm(request.POST, request.FILES)
    problems: list[Any] = []
    if form.is_valid():
        try:
            outcome = company_side.statement_upload_own(
                company=company, upload=form.cleaned_data["file"], acting_user=request.user
            )
            messages.success(request, _("The file was imported: %(n)s statements.") % {"n": outcome})
            return redirect("monitoring:statements")
        except ApplicationError as exc:
            form.add_error("file", str(exc))
            problems = [d.as_dict() for d in exc.details]
    return render(
        request,
        "monitoring/statement_upload.html",
        {"form": form, "problems": problems, "now": timezone.now()},
        status=422,
    )
