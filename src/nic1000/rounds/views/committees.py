"""Who evaluates each body's candidacies (the office sets it) and a body-run committee's own pages: its
members, its optimal assignment, its scores and its list; a ministry follows its own candidacies here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nic1000.core.access import role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, Role
from nic1000.core.text import BoundedTextForm
from nic1000.rounds import committees as pages
from nic1000.rounds import selectors
from nic1000.rounds.models import EvaluatorProfile, RoundBody
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import committees as services
from nic1000.rounds.views.common import AuthedRequest, error_status, form_error
from nic1000.rounds.workflows import RoundAction, round_allows

FOLLOWERS = OFFICE_AND_AUDIT | {Role.MINISTRY_OFFICER}
MANAGERS = OFFICE | {Role.MINISTRY_OFFICER}


class EvaluationForm(BoundedTextForm):
    body = forms.CharField(label=gettext_lazy("Body"), max_length=20)
    evaluation = forms.ChoiceField(label=gettext_lazy("Who evaluates"), choices=RoundBody.Evaluation.choices)


class MemberForm(BoundedTextForm):
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    affiliation = forms.CharField(label=gettext_lazy("Affiliation"), max_length=200, required=False)
    ksic_sections = forms.CharField(
        label=gettext_lazy("KSIC sections of expertise"), max_length=50, required=False
    )
    keywords = forms.CharField(label=gettext_lazy("Technology keywords"), max_length=500, required=False)


class DecideForm(BoundedTextForm):
    note = forms.CharField(label=gettext_lazy("The committee's note"), widget=forms.Textarea, required=False)


@role_required(OFFICE_AND_AUDIT)
def committees(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    context = {
        "round": rnd,
        "rows": pages.committees_overview(round=rnd),
        "can_set": request.user.role == Role.PROGRAM_OFFICE and round_allows(rnd, RoundAction.CONFIGURE),
        "choices": RoundBody.Evaluation.choices,
    }
    return render(request, "rounds/committees.html", context)


@role_required(OFFICE)
@require_POST
def committee_evaluation(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        body = pages.access_round_body(user=request.user, round=rnd, code=form.cleaned_data["body"])
        try:
            services.round_body_evaluation_set(
                round=rnd, body=body, evaluation=form.cleaned_data["evaluation"], acting_user=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(body)s: %(who)s evaluates its candidacies.")
                % {"body": body.name_ko, "who": RoundBody.Evaluation(form.cleaned_data["evaluation"]).label},
            )
    return redirect("rounds:committees", pk=rnd.pk)


def _page(request: AuthedRequest, pk: int, code: str, **forms_: object) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = pages.access_round_body(user=request.user, round=rnd, code=code)
    context = pages.committee_context(user=request.user, round=rnd, body=body)
    context.update(
        member_form=forms_.get("member_form") or MemberForm(),
        decide_form=forms_.get("decide_form") or DecideForm(),
        can_assign=round_allows(rnd, RoundAction.ASSIGN),
        can_decide=round_allows(rnd, RoundAction.COMMITTEE_DECIDE),
    )
    status = int(str(forms_.get("status", 200)))
    return render(request, "rounds/committee.html", context, status=status)


@role_required(FOLLOWERS)
def committee(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    return _page(request, pk, code)


@role_required(MANAGERS)
@require_POST
def committee_member_add(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = pages.access_round_body(user=request.user, round=rnd, code=code)
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _page(request, pk, code, member_form=form, status=422)
    try:
        profile = services.committee_member_add(body=body, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        form_error(form, exc)
        return _page(request, pk, code, member_form=form, status=error_status(exc))
    messages.success(
        request,
        _("%(name)s joined %(body)s's committee; they set their password from the e-mailed link.")
        % {"name": profile.user.display_name or profile.user.username, "body": body.name_ko},
    )
    return redirect("rounds:committee", pk=rnd.pk, code=code)


@role_required(MANAGERS)
@require_POST
def committee_member_active(request: AuthedRequest, pk: int, code: str, member: int) -> HttpResponse:
    profile = _member(request, pk, code, member)
    if profile is None:
        return _page(request, pk, code, status=404)
    try:
        services.committee_member_set_active(
            profile=profile, active=request.POST.get("active") == "1", acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("rounds:committee", pk=pk, code=code)


def _member(request: AuthedRequest, pk: int, code: str, member: int) -> EvaluatorProfile | None:
    """A member of the body's committee in this round's terms (None when the body has no such member)."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = pages.access_round_body(user=request.user, round=rnd, code=code)
    return EvaluatorProfile.objects.filter(pk=member, body=body).select_related("user").first()


@role_required(MANAGERS)
@require_POST
def committee_solve(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = pages.access_round_body(user=request.user, round=rnd, code=code)
    back = reverse("rounds:committee", args=[rnd.pk, code])
    if not is_confirmed(request):
        progress = services.committee_progress(round=rnd, body=body)
        return confirmation_page(
            request,
            Confirmation(
                title=_("Assign %(body)s's committee to its candidacies?") % {"body": body.name_ko},
                consequences=[
                    _(
                        "The optimal assignment gives each of %(n)s eligible candidacies its evaluators from the committee; conflicted pairs are never assigned."
                    )
                    % {"n": progress["eligible"]},
                    _("Drafts of pairs that are dropped are discarded; submitted reviews stay."),
                ],
                action=reverse("rounds:committee_solve", args=[rnd.pk, code]),
                button=_("Assign"),
                cancel_url=back,
                irreversible=False,
            ),
        )
    try:
        outcome = assignment_services.committee_assignment_solve(
            round=rnd, body_id=body.pk, acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for d in exc.details[:5]:
            if d.message:
                messages.error(request, d.message)
    else:
        messages.success(
            request,
            _("Assigned: %(added)s pairs added, %(removed)s removed, %(kept)s kept.")
            % {"added": outcome.added, "removed": outcome.removed, "kept": outcome.kept},
        )
    return redirect(back)


@role_required(MANAGERS)
@require_POST
def committee_decide(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = pages.access_round_body(user=request.user, round=rnd, code=code)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _page(request, pk, code, decide_form=form, status=422)
    chosen = {int(v) for v in request.POST.getlist("recommend") if v.isdigit()}
    if not is_confirmed(request):
        eligible = services.committee_progress(round=rnd, body=body)["eligible"]
        return confirmation_page(
            request,
            Confirmation(
                title=_("Record %(body)s's committee list?") % {"body": body.name_ko},
                consequences=[
                    _("%(n)s of %(total)s eligible candidacies are recommended; the others are not.")
                    % {"n": len(chosen), "total": eligible},
                    _(
                        "The programme office selects among the recommended under the round's quotas, and is told now."
                    ),
                ],
                action=reverse("rounds:committee_decide", args=[rnd.pk, code]),
                button=_("Record the list"),
                cancel_url=reverse("rounds:committee", args=[rnd.pk, code]),
                irreversible=False,
            ),
        )
    try:
        services.committee_decide(
            round=rnd, body=body, recommended=chosen, note=form.cleaned_data["note"], acting_user=request.user
        )
    except ApplicationError as exc:
        form_error(form, exc)
        return _page(request, pk, code, decide_form=form, status=error_status(exc))
    messages.success(
        request,
        _("%(body)s's committee list is recorded: %(n)s recommended; the programme office was told.")
        % {"body": body.name_ko, "n": len(chosen)},
    )
    return redirect("rounds:committee", pk=rnd.pk, code=code)


@role_required(MANAGERS)
@require_POST
def committee_member_link(request: AuthedRequest, pk: int, code: str, member: int) -> HttpResponse:
    profile = _member(request, pk, code, member)
    if profile is None:
        return _page(request, pk, code, status=404)
    try:
        services.committee_member_invite_again(profile=profile, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("A new link to choose a password was sent to %(email)s.") % {"email": profile.user.email},
        )
    return redirect("rounds:committee", pk=pk, code=code)
