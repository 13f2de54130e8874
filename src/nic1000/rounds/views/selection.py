"""Results and selection: aggregation, the optimiser, committee overrides and the committee's decision."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT
from nic1000.core.sorting import sort_from
from nic1000.rounds import pages, selectors
from nic1000.rounds.exports import RESULT_SORT, results_xlsx
from nic1000.rounds.forms import DecisionForm, DecisionWithdrawForm, ForceForm
from nic1000.rounds.models import Candidacy, Round
from nic1000.rounds.services import selection as selection_services
from nic1000.rounds.views.common import AuthedRequest, ask_first, message_error
from nic1000.rounds.workflows import RoundAction


@role_required(OFFICE_AND_AUDIT)
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    sort = sort_from(request.GET, RESULT_SORT)
    ranked = sort.apply(selectors.results_for(round=rnd))
    if wants_xlsx(request):
        return results_xlsx(candidacies=ranked)
    page = pages.results_page(round=rnd)
    is_office = has_role(request.user, OFFICE)
    context = {
        "round": rnd,
        "page": page,
        "allowed": page.allowed,
        "page_obj": paginate(ranked, request.GET.get("page"), 100),
        "sort": sort,
        "decision_form": DecisionForm(),
        "withdraw_form": DecisionWithdrawForm(),
        "force_form": ForceForm(),
        "is_office": is_office,
        "quality": selectors.selection_quality(round=rnd),
        # The committee's overrides, one per row, until it has decided.
        "force_column": is_office and page.allowed[RoundAction.FORCE] and page.decision is None,
    }
    return render(request, "rounds/results.html", context)


@role_required(OFFICE)
def evaluator_effects(request: AuthedRequest, pk: int) -> HttpResponse:
    """Each evaluator's estimated leniency with its uncertainty, and what switching the round's calibration
    would change (the programme office only: neither evaluators nor the audit see it)."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    context = {
        "round": rnd,
        "quality": selectors.selection_quality(round=rnd),
        "effects": selectors.evaluator_effects(round=rnd),
    }
    return render(request, "rounds/evaluator_effects.html", context)


def _office_action(
    request: AuthedRequest, pk: int, action: Callable[[Round], object], success: str
) -> HttpResponse:
    """Run one of the programme office's steps on the round and go back to the results."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        action(rnd)
    except ApplicationError as exc:
        message_error(request, exc, details=20)
    else:
        messages.success(request, success)
    return redirect("rounds:results", pk=rnd.pk)


@role_required(OFFICE)
@require_POST
def aggregate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.scores_aggregate(round=rnd, acting_user=request.user),
        _("Scores aggregated."),
    )


@role_required(OFFICE)
@require_POST
def select(request: AuthedRequest, pk: int) -> HttpResponse:
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.selection_run_or_raise(round=rnd, acting_user=request.user),
        _("Selection optimised."),
    )


def _force_consequences(c: Candidacy, forced: str) -> list[str]:
    name = c.company.name_ko
    if forced == Candidacy.Forced.IN:
        first = _("%(company)s is forced into the selection, whatever its score.") % {"company": name}
    elif forced == Candidacy.Forced.OUT:
        first = _("%(company)s is forced out of the selection, whatever its score.") % {"company": name}
    else:
        first = _("The committee's override of %(company)s is cleared.") % {"company": name}
    return [
        first,
        _("The override is recorded with its reason; run the selection again to re-optimise the rest."),
    ]


@role_required(OFFICE)
@require_POST
def force(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    form = ForceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose in, out or clear."))
        return redirect("rounds:results", pk=c.round_id)
    forced = form.cleaned_data["forced"] or ""
    asked = ask_first(
        request,
        title=_("Override the selection of %(company)s?") % {"company": c.company.name_ko},
        consequences=_force_consequences(c, forced),
        button=_("Record the override"),
        cancel_url=reverse("rounds:results", kwargs={"pk": c.round_id}),
        irreversible=False,
    )
    if asked is not None:
        return asked
    try:
        selection_services.candidacy_force(
            candidacy=c, forced=forced, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Override recorded for %(company)s; run the selection again to re-optimise the rest.")
            % {"company": c.company.name_ko},
        )
    return redirect("rounds:results", pk=c.round_id)


@role_required(OFFICE)
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""  # the service says what is missing
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.committee_decision_record(
            round=rnd, note=note, acting_user=request.user
        ),
        _("The committee's decision is recorded."),
    )


@role_required(OFFICE)
@require_POST
def decision_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw the committee's decision before publication (e.g. the committee reopens the selection)."""
    form = DecisionWithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.committee_decision_withdraw(
            round=rnd, reason=reason, acting_user=request.user
        ),
        _("The committee's decision is withdrawn; the selection can be run again."),
    )
