"""Evaluation: the programme office's assignment of evaluators and review status; the evaluator's assignments,
the confirmation that opens a file (the one recorded step before scoring), scoring, and declaring a conflict."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, Role
from nic1000.rounds import pages, selectors
from nic1000.rounds.exports import assignments_xlsx, reviews_xlsx, round_assignments
from nic1000.rounds.forms import AssignmentChangeForm, OpenFileForm, ReasonForm, ReviewForm
from nic1000.rounds.models import Assignment, Candidacy, EvaluatorProfile
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import evaluators as evaluator_services
from nic1000.rounds.services import reminders as reminder_services
from nic1000.rounds.services import reviews as review_services
from nic1000.rounds.views.common import AuthedRequest, ask_first, error_status, form_error, message_error
from nic1000.rounds.workflows import RoundAction, round_allows

# --- the programme office ---------------------------------------------------------------------------------------


@role_required(OFFICE_AND_AUDIT)
def assignment_page(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    if wants_xlsx(request):
        return assignments_xlsx(assignments=round_assignments(round=rnd))
    overview = pages.assignment_overview(round=rnd)
    context = {
        "round": rnd,
        "overview": overview,
        "page_obj": paginate(overview.candidacies, request.GET.get("page"), 50),
        "can_change": has_role(request.user, OFFICE) and round_allows(rnd, RoundAction.ASSIGN),
    }
    return render(request, "rounds/assignments.html", context)


@role_required(OFFICE)
@require_POST
def assignment_solve(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        outcome = assignment_services.assignment_solve(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        message_error(request, exc, details=20)
    else:
        messages.success(
            request,
            _(
                "Assignment solved: %(added)d added, %(removed)d removed, %(kept)d kept (total affinity %(aff).2f)."
            )
            % {
                "added": outcome.added,
                "removed": outcome.removed,
                "kept": outcome.kept,
                "aff": outcome.total_affinity,
            },
        )
    return redirect("rounds:assignments", pk=rnd.pk)


def _change_consequences(c: Candidacy, add: EvaluatorProfile | None, remove: Assignment | None) -> list[str]:
    lines = []
    if remove is not None:
        lines.append(
            _("%(evaluator)s stops evaluating %(company)s; any draft review is discarded; they are told.")
            % {"evaluator": remove.evaluator.user, "company": c.company.name_ko}
        )
    if add is not None:
        lines.append(
            _("%(evaluator)s is assigned to %(company)s and told.")
            % {"evaluator": add.user, "company": c.company.name_ko}
        )
    return lines


@role_required(OFFICE)
@require_POST
def assignment_change(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = AssignmentChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a change and give a reason."))
        return redirect("rounds:assignments", pk=rnd.pk)
    d = form.cleaned_data
    candidacy = selectors.candidacy_in_round(round=rnd, pk=d["candidacy"])
    add = selectors.evaluator_by_pk(pk=d["add_evaluator"]) if d.get("add_evaluator") else None
    remove = selectors.assignment_on(candidacy=candidacy, pk=d["remove"]) if d.get("remove") else None
    if remove is not None:  # unassigning asks first
        asked = ask_first(
            request,
            title=_("Unassign %(evaluator)s?") % {"evaluator": remove.evaluator.user},
            consequences=_change_consequences(candidacy, add, remove),
            button=_("Unassign"),
            cancel_url=reverse("rounds:assignments", kwargs={"pk": rnd.pk}),
        )
        if asked is not None:
            return asked
    try:
        assignment_services.assignment_change(
            round=rnd,
            candidacy=candidacy,
            add_evaluator=add,
            remove=remove,
            reason=d["reason"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Assignment changed: %(what)s")
            % {"what": " ".join(_change_consequences(candidacy, add, remove))},
        )
    return redirect("rounds:assignments", pk=rnd.pk)


@role_required(OFFICE_AND_AUDIT)
def review_status(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    if wants_xlsx(request):
        return reviews_xlsx(round=rnd, assignments=round_assignments(round=rnd))
    status = selectors.review_status(round=rnd)
    context = {
        "round": rnd,
        "status": status,
        "now": timezone.now(),
        "can_remind": has_role(request.user, OFFICE)
        and status["overdue"]
        and round_allows(rnd, RoundAction.SCORE),
    }
    return render(request, "rounds/review_status.html", context)


@role_required(OFFICE)
@require_POST
def review_remind(request: AuthedRequest, pk: int) -> HttpResponse:
    """The programme office reminds every late evaluator at once (asked first, with how many)."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    reach = pages.round_reach(round=rnd)
    asked = ask_first(
        request,
        title=_("Remind the late evaluators of %(round)s?") % {"round": rnd.name},
        consequences=[
            _("%(evaluators)d evaluators with %(reviews)d reviews not submitted each get one reminder.")
            % {"evaluators": reach.evaluators_missing, "reviews": reach.missing_reviews}
        ],
        button=_("Send the reminders"),
        cancel_url=reverse("rounds:review_status", kwargs={"pk": rnd.pk}),
        irreversible=False,
    )
    if asked is not None:
        return asked
    try:
        outcome = reminder_services.reviews_remind_late(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Reminded %(evaluators)d evaluators of %(reviews)d late reviews.")
            % {"evaluators": outcome.evaluators, "reviews": outcome.reviews},
        )
    return redirect("rounds:review_status", pk=rnd.pk)


# --- the evaluator ------------------------------------------------------------------------------------------------


@role_required(Role.EVALUATOR)
def my_assignments(request: AuthedRequest) -> HttpResponse:
    items = selectors.my_assignments(user=request.user)
    return render(request, "rounds/my_assignments.html", {"items": items})


def _open_page(
    request: AuthedRequest, a: Assignment, *, form: OpenFileForm | None = None, status: int = 200
) -> HttpResponse:
    """Before the file opens: the evaluator confirms there is no conflict of interest, or declares one."""
    context = {"a": a, "c": a.candidacy, "open_form": form or OpenFileForm(), "conflict_form": ReasonForm()}
    return render(request, "rounds/review_open.html", context, status=status)


@role_required(Role.EVALUATOR)
@require_POST
def review_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """The evaluator confirms no conflict of interest and opens the company's file (recorded once)."""
    a = selectors.access_assignment(user=request.user, pk=pk)
    form = OpenFileForm(request.POST)
    if not form.is_valid():
        return _open_page(request, a, form=form, status=422)
    try:
        review_services.assignment_open(assignment=a, acting_user=request.user)
    except ApplicationError as exc:
        form_error(form, exc)
        return _open_page(request, a, form=form, status=error_status(exc))
    return redirect("rounds:review", pk=a.pk)


@role_required(Role.EVALUATOR)
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    """The candidacy's file and the scoring form, once the evaluator has opened the file."""
    a = selectors.access_assignment(user=request.user, pk=pk)
    if a.opened_at is None:  # nothing shows (and nothing is scored) before the confirmation
        return _open_page(request, a, status=200 if request.method == "GET" else 409)
    page = pages.review_page(assignment=a)
    form = ReviewForm(
        request.POST or None,
        initial=page.initial,
        criteria=page.criteria,
        scale=page.scale,
        bonus_items=page.bonus_items,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            review_services.review_save(
                assignment=a,
                scores=form.scores(),
                comment=form.cleaned_data.get("comment", ""),
                bonus_item_ids=form.bonus_item_ids(),
                submit=submit,
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form_error(form, exc)
            status = error_status(exc)
        else:
            messages.success(request, _("Review submitted.") if submit else _("Draft saved."))
            return redirect("rounds:review", pk=a.pk)
    elif request.method == "POST":
        status = 422
    context = {"a": a, "c": a.candidacy, "page": page, "form": form}
    return render(request, "rounds/review.html", context, status=status)


@role_required(Role.EVALUATOR)
@require_POST
def conflict_declare(request: AuthedRequest, pk: int) -> HttpResponse:
    a = selectors.access_assignment(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the conflict."))
        return redirect("rounds:my_assignments")
    try:
        _conflict, added = evaluator_services.conflict_declare(
            assignment=a, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Conflict recorded; you no longer evaluate %(company)s.")
            % {"company": a.candidacy.company.name_ko}
            + (" " + _("A replacement evaluator was assigned.") if added else ""),
        )
    return redirect("rounds:my_assignments")
