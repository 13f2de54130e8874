"""Rounds and their configuration: the list, a new programme or round, the round page and its transitions,
settings (three forms, each posting to its own page), criteria and quotas."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.second_factor import recent_second_factor_required
from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import OFFICE
from nic1000.core.sorting import sort_from
from nic1000.rounds import pages, refills, selectors
from nic1000.rounds.exports import ROUND_SORT
from nic1000.rounds.forms import (
    BodyRulesForm,
    BonusItemForm,
    CriteriaForm,
    ProgramForm,
    ProgramSettingsForm,
    QuotaForm,
    RoundForm,
    SettingsForm,
    TransitionForm,
)
from nic1000.rounds.models import EligibilityRule, Program, Round
from nic1000.rounds.services import setup as setup_services
from nic1000.rounds.views import confirmations
from nic1000.rounds.views.common import AuthedRequest, ask_first, error_status, form_error
from nic1000.rounds.workflows import ROUND


@role_required(selectors.ROUND_READERS)
def round_list(request: AuthedRequest) -> HttpResponse:
    sort = sort_from(request.GET, ROUND_SORT)
    rounds = sort.apply(selectors.round_list(user=request.user))
    context = {"rounds": rounds, "can_create": has_role(request.user, OFFICE), "sort": sort}
    return render(request, "rounds/list.html", context)


@role_required(OFFICE)
def program_create(request: AuthedRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            setup_services.program_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
            status = error_status(exc)
        else:
            messages.success(request, _("Programme created."))
            return redirect("rounds:create")
    elif request.method == "POST":
        status = 422
    return render(request, "rounds/form.html", {"form": form, "title": _("New programme")}, status=status)


@role_required(OFFICE)
def round_create(request: AuthedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rnd = setup_services.round_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
            status = error_status(exc)
        else:
            messages.success(request, _("Round created with the five announced criteria."))
            return redirect("rounds:detail", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "title": _("New round"), "program_link": True}
    return render(request, "rounds/form.html", context, status=status)


@role_required(selectors.ROUND_READERS)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    overview = pages.round_overview(round=rnd, user=request.user)
    return render(
        request, "rounds/detail.html", {"round": rnd, "overview": overview, "allowed": overview.allowed}
    )


@role_required(OFFICE)
@require_POST
def round_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    """A step of the round: asked first (what it will do, with counts), then done and said."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404
    name = form.cleaned_data["transition"]
    t = ROUND.transition(name)
    if rnd.state in t.sources and not ROUND.blockers(t, rnd):  # a refused step is refused at once, unasked
        asked = ask_first(
            request,
            title=confirmations.transition_title(rnd, name),
            consequences=confirmations.transition_consequences(rnd, name, pages.round_reach(round=rnd)),
            button=str(t.label),
            cancel_url=reverse("rounds:detail", kwargs={"pk": rnd.pk}),
        )
        if asked is not None:
            return asked
    try:
        setup_services.round_transition(
            round=rnd, transition=name, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, confirmations.transition_done(rnd, name, pages.round_reach(round=rnd)))
    return redirect("rounds:detail", pk=rnd.pk)


# --- settings: one page, three forms, each posting to its own view -----------------------------------------


def _settings_page(
    request: AuthedRequest,
    rnd: Round,
    *,
    form: SettingsForm | None = None,
    bonus_form: BonusItemForm | None = None,
    body_rules_form: BodyRulesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The settings page with the form that was posted (bound, with its errors) and the others fresh."""
    page = pages.settings_page(round=rnd)
    context = {
        "round": rnd,
        "form": form or SettingsForm(initial=page.initial),
        "bonus_form": bonus_form or BonusItemForm(),
        "body_rules_form": body_rules_form or _body_rules_form(page, None),
        "bonus_items": page.bonus_items,
    }
    return render(request, "rounds/settings.html", context, status=status)


def _body_rules_form(page: pages.SettingsPage, data: object) -> BodyRulesForm:
    return BodyRulesForm(
        data, initial=page.body_rules, bodies=page.bodies, kinds=list(EligibilityRule.Kind.choices)
    )


@role_required(OFFICE)
@recent_second_factor_required
def round_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    """How the round evaluates and selects, its scoring deadline and its own eligibility rules."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    if request.method != "POST":
        return _settings_page(request, rnd)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, rnd, form=form, status=422)
    try:
        setup_services.round_settings_update(
            round=rnd, acting_user=request.user, rules=form.rules(), **form.settings()
        )
    except ApplicationError as exc:
        form_error(form, exc)
        return _settings_page(request, rnd, form=form, status=error_status(exc))
    messages.success(request, _("Settings saved."))
    return redirect("rounds:settings", pk=rnd.pk)


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def body_rules_save(request: AuthedRequest, pk: int) -> HttpResponse:
    """Each nominating body's own eligibility rules."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = _body_rules_form(pages.settings_page(round=rnd), request.POST)
    if not form.is_valid():
        return _settings_page(request, rnd, body_rules_form=form, status=422)
    try:
        setup_services.eligibility_body_rules_set(round=rnd, rules=form.rules(), acting_user=request.user)
    except ApplicationError as exc:
        form_error(form, exc)
        return _settings_page(request, rnd, body_rules_form=form, status=error_status(exc))
    messages.success(request, _("Eligibility rules saved."))
    return redirect("rounds:settings", pk=rnd.pk)


@role_required(OFFICE)
@recent_second_factor_required
@require_POST
def bonus_item_add(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = BonusItemForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, rnd, bonus_form=form, status=422)
    try:
        setup_services.bonus_item_add(round=rnd, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        form_error(form, exc)
        return _settings_page(request, rnd, bonus_form=form, status=error_status(exc))
    messages.success(request, _("Bonus item added."))
    return redirect("rounds:settings", pk=rnd.pk)


# --- criteria and quotas ---------------------------------------------------------------------------------------


@role_required(OFFICE)
@recent_second_factor_required
def round_criteria(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    page = pages.criteria_page(round=rnd, body_code=request.GET.get("body", ""))
    form = CriteriaForm(request.POST or None, current=page.current)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            setup_services.criteria_set(
                round=rnd, items=form.criteria(), body=page.body, acting_user=request.user
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = error_status(exc)
        else:
            messages.success(request, _("Criteria saved."))
            return redirect("rounds:detail", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    context = {"round": rnd, "form": form, "page": page}
    return render(request, "rounds/criteria.html", context, status=status)


@role_required(OFFICE)
@recent_second_factor_required
def round_quotas(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's quotas; a round without quotas starts from the target's defaults and the vacancies."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    codes = selectors.quota_body_codes(round=rnd)
    defaults = refills.default_quotas(round=rnd, body_codes=codes)
    form = QuotaForm(
        request.POST or None, body_codes=codes, current=selectors.quotas_of(round=rnd), defaults=defaults
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            setup_services.quotas_set(round=rnd, rows=form.quotas(), acting_user=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            for detail in exc.details:
                form.add_error(None, detail.message)
            status = error_status(exc)
        else:
            messages.success(request, _("Quotas saved."))
            return redirect("rounds:detail", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    context = {
        "round": rnd,
        "form": form,
        "defaults": defaults,
        "refills": refills.refill_rows(round=rnd, body_codes=codes),
    }
    return render(request, "rounds/quotas.html", context, status=status)


# --- the programme: progress toward the target, its settings ---------------------------------------------------


def _program_page(
    request: AuthedRequest, program: Program, form: ProgramSettingsForm | None, status: int = 200
) -> HttpResponse:
    context = {
        "program": program,
        "progress": refills.programme_progress(program=program),
        "form": form
        or ProgramSettingsForm(
            initial={
                "target_companies": program.target_companies,
                "designation_years": program.designation_years,
            }
        ),
        "can_edit": has_role(request.user, OFFICE),
    }
    return render(request, "rounds/program.html", context, status=status)


@role_required(selectors.ROUND_READERS)
def program_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _program_page(request, refills.access_program(pk=pk), None)


@role_required(OFFICE)
@require_POST
def program_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    program = refills.access_program(pk=pk)
    form = ProgramSettingsForm(request.POST)
    if not form.is_valid():
        return _program_page(request, program, form, status=422)
    try:
        setup_services.program_update(program=program, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        form_error(form, exc)
        return _program_page(request, program, form, status=error_status(exc))
    messages.success(request, _("Programme settings saved."))
    return redirect("rounds:program_detail", pk=program.pk)
