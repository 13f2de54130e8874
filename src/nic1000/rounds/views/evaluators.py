"""The evaluator pool: the programme office's list and each evaluator's profile and declared relationships
(kept by the office, or by the evaluator on their own page). The profile and a new relationship are two forms
posting to two views."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, Role
from nic1000.core.sorting import sort_from
from nic1000.rounds import pages, selectors
from nic1000.rounds.exports import EVALUATOR_SORT, evaluators_xlsx
from nic1000.rounds.forms import EvaluatorProfileForm, RelationshipForm
from nic1000.rounds.services import evaluators as evaluator_services
from nic1000.rounds.views.common import AuthedRequest, error_status, form_error


@role_required(OFFICE_AND_AUDIT)
def evaluator_list(request: AuthedRequest) -> HttpResponse:
    sort = sort_from(request.GET, EVALUATOR_SORT)
    qs = sort.apply(selectors.evaluator_pool())
    if wants_xlsx(request):
        return evaluators_xlsx(evaluators=qs)
    page = paginate(qs, request.GET.get("page"), 50)
    can_edit = has_role(request.user, OFFICE)
    context = {
        "sort": sort,
        "page_obj": page,
        "can_edit": can_edit,
        "without": selectors.evaluators_without_profile() if can_edit else [],
    }
    return render(request, "rounds/evaluators.html", context)


def _urls(user: User, *, own: bool) -> dict[str, str]:
    if own:
        return {
            "profile_url": reverse("rounds:my_profile"),
            "relationship_url": reverse("rounds:my_relationship"),
        }
    return {
        "profile_url": reverse("rounds:evaluator_edit", kwargs={"user_pk": user.pk}),
        "relationship_url": reverse("rounds:evaluator_relationship", kwargs={"user_pk": user.pk}),
    }


def _profile_page(
    request: AuthedRequest,
    user: User,
    *,
    own: bool,
    form: EvaluatorProfileForm | None = None,
    rel_form: RelationshipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = pages.evaluator_page(user=user)
    context = {
        "profile_user": user,
        "profile": page.profile,
        "relationships": page.relationships,
        "form": form or EvaluatorProfileForm(initial=page.initial),
        "rel_form": rel_form or RelationshipForm(),
        **_urls(user, own=own),
    }
    return render(request, "rounds/profile.html", context, status=status)


def _profile_save(request: AuthedRequest, user: User, *, own: bool) -> HttpResponse:
    if request.method != "POST":
        return _profile_page(request, user, own=own)
    form = EvaluatorProfileForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, user, own=own, form=form, status=422)
    try:
        evaluator_services.evaluator_profile_save(user=user, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        form_error(form, exc)
        return _profile_page(request, user, own=own, form=form, status=error_status(exc))
    messages.success(request, _("Profile saved."))
    return redirect(_urls(user, own=own)["profile_url"])


def _relationship_add(request: AuthedRequest, user: User, *, own: bool) -> HttpResponse:
    form = RelationshipForm(request.POST)
    profile = pages.evaluator_page(user=user).profile
    if profile is None:
        form.add_error(None, _("Save the profile first."))
        return _profile_page(request, user, own=own, rel_form=form, status=422)
    if not form.is_valid():
        return _profile_page(request, user, own=own, rel_form=form, status=422)
    company = selectors.company_by_brn(brn=form.cleaned_data["brn"])
    if company is None:
        form.add_error("brn", _("No company with this number in the registry."))
        return _profile_page(request, user, own=own, rel_form=form, status=422)
    try:
        evaluator_services.evaluator_relationship_add(
            evaluator=profile,
            company=company,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        form_error(form, exc)
        return _profile_page(request, user, own=own, rel_form=form, status=error_status(exc))
    messages.success(request, _("Relationship declared."))
    return redirect(_urls(user, own=own)["profile_url"])


@role_required(OFFICE)
def evaluator_edit(request: AuthedRequest, user_pk: int) -> HttpResponse:
    return _profile_save(request, selectors.access_evaluator_user(pk=user_pk), own=False)


@role_required(OFFICE)
@require_POST
def evaluator_relationship_add(request: AuthedRequest, user_pk: int) -> HttpResponse:
    return _relationship_add(request, selectors.access_evaluator_user(pk=user_pk), own=False)


@role_required(Role.EVALUATOR)
def my_profile(request: AuthedRequest) -> HttpResponse:
    return _profile_save(request, request.user, own=True)


@role_required(Role.EVALUATOR)
@require_POST
def my_relationship_add(request: AuthedRequest) -> HttpResponse:
    return _relationship_add(request, request.user, own=True)
