"""Nominations by ministry officers, the candidacies they make, and the programme office's eligibility override."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.accounts.selectors import may_invite_representative
from nic1000.core.access import has_role, role_required
from nic1000.core.errors import ApplicationError, ErrorDetail, ValidationFailed
from nic1000.core.listing import wants_xlsx
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, Role
from nic1000.core.sorting import sort_from
from nic1000.designations.selectors import membership_active_for
from nic1000.rounds import pages, selectors
from nic1000.rounds.exports import CANDIDACY_SORT, NOMINATION_SORT, candidacies_xlsx, nominations_xlsx
from nic1000.rounds.forms import (
    CandidacyFilterForm,
    NominationEditForm,
    NominationFilterForm,
    NominationForm,
    OverrideForm,
)
from nic1000.rounds.models import Nomination
from nic1000.rounds.pages import nomination_window_open
from nic1000.rounds.services import nominations as nomination_services
from nic1000.rounds.views.common import AuthedRequest, ask_first, error_status, form_error
from nic1000.rounds.workflows import RoundAction, allowed_actions, round_allows


def _nominated_message(request: AuthedRequest, nomination: Nomination, *, new_company: bool) -> None:
    c = nomination.candidacy
    name = c.company.name_ko
    if c.eligible and new_company:
        messages.success(request, _("%(company)s registered and nominated.") % {"company": name})
    elif c.eligible:
        messages.success(request, _("%(company)s nominated.") % {"company": name})
    else:
        why = "; ".join(r["message"] for r in c.eligibility_texts if r["ok"] == "no")
        messages.warning(
            request,
            _("%(company)s nominated, but it is not eligible: %(why)s") % {"company": name, "why": why},
        )


@role_required(Role.MINISTRY_OFFICER)
def nominate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Nominate a registry company by its number, or register a new company and nominate it in one step."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = NominationForm(request.POST or None, request.FILES or None)
    status = 200
    existing = None  # a registry company with the number typed for a "new" company: offered instead
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)  # a copy: add_error drops a field from cleaned_data
        new = d["source"] == NominationForm.NEW
        common: dict[str, Any] = {
            "round": rnd,
            "reason": d["reason"],
            "evidence": d["evidence"],
            "evidence_file": d.get("evidence_file"),
            "acting_user": request.user,
        }
        try:
            if new:
                nomination = nomination_services.nomination_create_with_company(
                    company_fields=form.company_fields(), **common
                )
            else:
                company = selectors.company_by_brn(brn=d["brn"])
                if company is None:
                    message = _("No company with this number in the registry.")
                    raise ValidationFailed(message, [ErrorDetail(message=message, field="brn")])
                nomination = nomination_services.nomination_create(company=company, **common)
        except ApplicationError as exc:
            form_error(form, exc)
            status = error_status(exc)
            if exc.code == "company_exists":
                existing = selectors.company_by_brn(brn=d["brn"])
        else:
            _nominated_message(request, nomination, new_company=new)
            return redirect("rounds:nominations", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    context = {
        "round": rnd,
        "allowed": allowed_actions(rnd),
        "form": form,
        "body": request.user.body,
        "existing": existing,
    }
    return render(request, "rounds/nominate.html", context, status=status)


@role_required(Role.MINISTRY_OFFICER, OFFICE)
def eligibility_check(request: AuthedRequest, pk: int) -> HttpResponse:
    """HTMX partial: the company found by the typed number and its eligibility in this round."""
    rnd = selectors.access_round(user=request.user, pk=pk)
    brn = "".join(ch for ch in request.GET.get("brn", "") if ch.isdigit())
    company = selectors.company_by_brn(brn=brn)
    context: dict[str, Any] = {"company": company, "brn": brn}
    if company is not None:
        context["eligible"], context["reasons"] = selectors.eligibility_for(
            round=rnd, company=company, body=request.user.body
        )
        context["member"] = membership_active_for(company_id=company.pk)
    return render(request, "rounds/_eligibility.html", context)


@role_required(Role.MINISTRY_OFFICER, OFFICE_AND_AUDIT)
def nomination_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = NominationFilterForm(request.GET or None, all_bodies=has_role(request.user, OFFICE_AND_AUDIT))
    qs = selectors.nominations_for(user=request.user, round=rnd, **form.filters())
    sort = sort_from(request.GET, NOMINATION_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return nominations_xlsx(nominations=qs)
    page = paginate(qs, request.GET.get("page"), 50)
    can_nominate = has_role(request.user, {Role.MINISTRY_OFFICER}) and round_allows(rnd, RoundAction.NOMINATE)
    context = {
        "round": rnd,
        "page_obj": page,
        "can_nominate": can_nominate,
        # Its body's officer (or the office) may edit or withdraw a nomination while the window is open.
        "can_change": has_role(request.user, {Role.MINISTRY_OFFICER, *OFFICE})
        and nomination_window_open(rnd),
        "form": form,
        "sort": sort,
    }
    return render(request, "rounds/nominations.html", context)


@role_required(Role.MINISTRY_OFFICER, OFFICE_AND_AUDIT)
def candidacy_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = CandidacyFilterForm(request.GET or None, all_bodies=has_role(request.user, OFFICE_AND_AUDIT))
    qs = selectors.candidacies_for(
        user=request.user, round=rnd, sector=request.GET.get("sector", ""), **form.filters()
    )
    sort = sort_from(request.GET, CANDIDACY_SORT)
    qs = sort.apply(qs)
    if wants_xlsx(request):
        return candidacies_xlsx(candidacies=qs)
    page = paginate(qs, request.GET.get("page"), 50)
    template = "rounds/_candidacy_rows.html" if request.htmx else "rounds/candidacies.html"
    return render(request, template, {"round": rnd, "page_obj": page, "form": form, "sort": sort})


@role_required(Role.MINISTRY_OFFICER, Role.EVALUATOR, OFFICE_AND_AUDIT)
def candidacy_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    context: dict[str, Any] = {
        "c": c,
        "file": selectors.candidacy_file(candidacy=c),
        "can_invite": may_invite_representative(user=request.user, company_id=c.company_id),
    }
    if has_role(request.user, OFFICE_AND_AUDIT):
        context["evaluation"] = pages.candidacy_evaluation(candidacy=c)
    if has_role(request.user, OFFICE):
        context["override_form"] = OverrideForm(initial={"eligible": "1" if c.eligible else "0"})
    if has_role(request.user, {Role.MINISTRY_OFFICER}) and nomination_window_open(c.round):
        # Its own body's nomination, changed while nominations are open.
        own = [n for n in context["file"]["nominations"] if n.body_id == request.user.body_id]
        context["own_nomination"] = own[0] if own else None
    return render(request, "rounds/candidacy.html", context)


@role_required(OFFICE)
@require_POST
def candidacy_override(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An override needs a reason."))
        return redirect("rounds:candidacy", pk=c.pk)
    try:
        nomination_services.candidacy_eligibility_override(
            candidacy=c,
            eligible=form.cleaned_data["eligible"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Eligibility overridden."))
    return redirect("rounds:candidacy", pk=c.pk)


# --- a body's own nomination, while nominations are open -------------------------------------------------------


@role_required(Role.MINISTRY_OFFICER, OFFICE)
def nomination_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change the reason or evidence of one's own body's nomination (another body's: 404)."""
    n = selectors.access_nomination(user=request.user, pk=pk)
    rnd = n.candidacy.round
    initial = {"reason": n.reason, "evidence": n.evidence}
    form = NominationEditForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            nomination_services.nomination_update(
                nomination=n,
                reason=d["reason"],
                evidence=d["evidence"],
                evidence_file=d.get("evidence_file"),
                acting_user=request.user,
            )
        except ApplicationError as exc:
            form_error(form, exc)
            status = error_status(exc)
        else:
            messages.success(request, _edit_message(n, request.user))
            return redirect("rounds:nominations", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    context = {"n": n, "round": rnd, "form": form, "open": nomination_window_open(rnd)}
    return render(request, "rounds/nomination_edit.html", context, status=status)


def _edit_message(n: Nomination, user: User) -> str:
    if has_role(user, OFFICE):
        return _("Nomination of %(company)s saved; %(body)s was told.") % {
            "company": n.candidacy.company.name_ko,
            "body": n.body.code,
        }
    return _("Nomination of %(company)s saved; the programme office was told.") % {
        "company": n.candidacy.company.name_ko
    }


def _withdraw_consequences(n: Nomination, user: User) -> list[str]:
    c = n.candidacy
    others = [code for code in c.nominations.values_list("body__code", flat=True) if code != n.body.code]
    lines = [
        _("%(body)s no longer nominates %(company)s in %(round)s.")
        % {"body": n.body.code, "company": c.company.name_ko, "round": c.round.name}
    ]
    if others:
        lines.append(
            _("It stays a candidate, nominated by %(bodies)s.") % {"bodies": ", ".join(sorted(others))}
        )
    else:
        lines.append(_("Its candidacy is removed from the round, with any evaluator assigned to it."))
    if has_role(user, OFFICE):
        lines.append(_("The officers of %(body)s are told.") % {"body": n.body.code})
    else:
        lines.append(_("The programme office is told."))
    return lines


@role_required(Role.MINISTRY_OFFICER, OFFICE)
@require_POST
def nomination_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw one's own body's nomination while nominations are open: asked first, then done and said."""
    n = selectors.access_nomination(user=request.user, pk=pk)
    rnd = n.candidacy.round
    company = n.candidacy.company.name_ko
    asked = ask_first(
        request,
        title=_("Withdraw the nomination of %(company)s?") % {"company": company},
        consequences=_withdraw_consequences(n, request.user),
        button=_("Withdraw the nomination"),
        cancel_url=reverse("rounds:nominations", kwargs={"pk": rnd.pk}),
    )
    if asked is not None:
        return asked
    try:
        nomination_services.nomination_withdraw(nomination=n, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        told = (
            _("%(body)s was told.") % {"body": n.body.code}
            if has_role(request.user, OFFICE)
            else _("The programme office was told.")
        )
        messages.success(
            request, _("Nomination of %(company)s withdrawn.") % {"company": company} + " " + told
        )
    return redirect("rounds:nominations", pk=rnd.pk)
