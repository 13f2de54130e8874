"""Pages of a selection round. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nic1000.accounts.models import User
from nic1000.core.access import public, role_required
from nic1000.core.errors import ApplicationError, ErrorDetail, ValidationFailed
from nic1000.core.roles import Role
from nic1000.designations.selectors import membership_active_for
from nic1000.registry.models import Body
from nic1000.rounds import selectors
from nic1000.rounds.exports import selections_xlsx
from nic1000.rounds.forms import (
    AssignmentChangeForm,
    BodyRulesForm,
    BonusItemForm,
    CriteriaForm,
    DecisionForm,
    DecisionWithdrawForm,
    EvaluatorProfileForm,
    ForceForm,
    NominationForm,
    OverrideForm,
    ProgramForm,
    QuotaForm,
    ReasonForm,
    RelationshipForm,
    ReviewForm,
    RoundForm,
    SettingsForm,
)
from nic1000.rounds.models import (
    Assignment,
    BonusItem,
    Candidacy,
    CommitteeDecision,
    Conflict,
    Criterion,
    EligibilityRule,
    EvaluatorProfile,
    Quota,
    Review,
    RoundSettings,
)
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import evaluators as evaluator_services
from nic1000.rounds.services import nominations as nomination_services
from nic1000.rounds.services import publication as publication_services
from nic1000.rounds.services import reviews as review_services
from nic1000.rounds.services import selection as selection_services
from nic1000.rounds.services import setup as setup_services
from nic1000.rounds.workflows import PAGE_TRANSITIONS, ROUND

PO = Role.PROGRAM_OFFICE


class AuthedRequest(HttpRequest):
    """What the pages get once `role_required` let them in (for the type checker)."""

    user: User  # type: ignore[assignment]
    htmx: Any


READERS = selectors.ROUND_READERS
OFFICE_READ = (Role.PROGRAM_OFFICE, Role.AUDITOR)


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put a domain error on the form: on its field when the form has one, else on top."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, d.message or exc.message)
            placed = True
    if not placed or not exc.details:
        form.add_error(None, exc.message)
    elif exc.details:
        others = [d.message for d in exc.details if not (d.field and d.field in form.fields) and d.message]
        for message in others:
            form.add_error(None, message)


def _status(exc: ApplicationError) -> int:
    return 409 if exc.status == 409 else 422


# --- programme and rounds -----------------------------------------------------------------------------------


@role_required(*READERS)
def round_list(request: AuthedRequest) -> HttpResponse:
    rounds = selectors.round_list(user=request.user)
    return render(request, "rounds/list.html", {"rounds": rounds, "can_create": request.user.role == PO})


@role_required(PO)
def program_create(request: AuthedRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    form.fields["bodies"] = forms.ModelMultipleChoiceField(
        label=_("Participating bodies"),
        queryset=Body.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            setup_services.program_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, _("Programme created."))
            return redirect("rounds:create")
    elif request.method == "POST":
        status = 422
    return render(request, "rounds/form.html", {"form": form, "title": _("New programme")}, status=status)


@role_required(PO)
def round_create(request: AuthedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rnd = setup_services.round_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, _("Round created with the five announced criteria."))
            return redirect("rounds:detail", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "rounds/form.html",
        {"form": form, "title": _("New round"), "program_link": True},
        status=status,
    )


@role_required(*READERS)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    transitions = [t for t in ROUND.available(rnd.state, [request.user.role]) if t.name in PAGE_TRANSITIONS]
    blockers = {t.name: ROUND.blockers(t, rnd) for t in transitions}
    context = {
        "round": rnd,
        "state_label": ROUND.states.get(rnd.state, rnd.state),
        "states": list(ROUND.states.items()),
        "transitions": [(t, blockers[t.name]) for t in transitions],
        "settings": getattr(rnd, "settings", None),
        "criteria": Criterion.objects.filter(round=rnd).select_related("body"),
        "quotas": Quota.objects.filter(round=rnd),
        "bonus_items": BonusItem.objects.filter(round=rnd),
        "rules": EligibilityRule.objects.filter(round=rnd, active=True),
        "counts": {
            "candidacies": rnd.candidacies.count(),
            "eligible": rnd.candidacies.filter(eligible=True).count(),
            "assignments": rnd.assignments.filter(active=True).count(),
            "submitted": Review.objects.filter(
                assignment__round=rnd, assignment__active=True, state="submitted"
            ).count(),
            "selected": rnd.candidacies.filter(selected=True).count(),
        },
        "decision": CommitteeDecision.objects.filter(round=rnd).select_related("decided_by").first(),
        "reason_form": ReasonForm(),
    }
    return render(request, "rounds/detail.html", context)


@role_required(PO)
@require_POST
def round_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    name = request.POST.get("transition", "")
    if name not in PAGE_TRANSITIONS:
        raise Http404
    try:
        setup_services.round_transition(
            round=rnd, transition=name, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The round is now %(state)s.") % {"state": ROUND.states[rnd.state]})
    return redirect("rounds:detail", pk=rnd.pk)


@role_required(PO)
def round_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    settings = RoundSettings.objects.get(round=rnd)
    rules = set(
        EligibilityRule.objects.filter(round=rnd, body__isnull=True, active=True).values_list(
            "kind", flat=True
        )
    )
    initial = {
        **{f: getattr(settings, f) for f in setup_services._SETTINGS_FIELDS},
        "scoring_deadline": timezone.localtime(rnd.scoring_deadline).strftime("%Y-%m-%dT%H:%M")
        if rnd.scoring_deadline
        else None,
        "rule_credit_delinquency": EligibilityRule.Kind.CREDIT_DELINQUENCY in rules,
        "rule_capital_impairment": EligibilityRule.Kind.CAPITAL_IMPAIRMENT in rules,
    }
    is_bonus = request.method == "POST" and "add_bonus" in request.POST
    is_body_rules = request.method == "POST" and "save_body_rules" in request.POST
    bodies = list(rnd.program.bodies.order_by("sort_order", "code"))
    own = {
        f"{code}__{kind}": "on" if active else "off"
        for code, kind, active in EligibilityRule.objects.filter(round=rnd, body__isnull=False).values_list(
            "body__code", "kind", "active"
        )
    }
    body_rules_form = BodyRulesForm(
        request.POST if is_body_rules else None,
        initial=own,
        bodies=bodies,
        kinds=list(EligibilityRule.Kind.choices),
    )
    if is_body_rules:
        if body_rules_form.is_valid():
            try:
                setup_services.eligibility_body_rules_set(
                    round=rnd, rules=body_rules_form.rules(), acting_user=request.user
                )
            except ApplicationError as exc:
                _form_error(body_rules_form, exc)
            else:
                messages.success(request, _("Eligibility rules saved."))
                return redirect("rounds:settings", pk=rnd.pk)
        is_bonus = False
    form = SettingsForm(
        request.POST if request.method == "POST" and not is_bonus and not is_body_rules else None,
        initial=initial,
    )
    bonus_form = BonusItemForm(request.POST if is_bonus else None)
    status = 200
    if is_body_rules:
        status = 422
    elif request.method == "POST" and not is_bonus:
        if form.is_valid():
            data = dict(form.cleaned_data)
            rule_values: dict[str, bool] = {
                EligibilityRule.Kind.CREDIT_DELINQUENCY: data.pop("rule_credit_delinquency"),
                EligibilityRule.Kind.CAPITAL_IMPAIRMENT: data.pop("rule_capital_impairment"),
            }
            try:
                setup_services.round_settings_update(
                    round=rnd, acting_user=request.user, rules=rule_values, **data
                )
            except ApplicationError as exc:
                _form_error(form, exc)
                status = _status(exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("rounds:settings", pk=rnd.pk)
        else:
            status = 422
    if is_bonus:
        if bonus_form.is_valid():
            try:
                setup_services.bonus_item_add(round=rnd, acting_user=request.user, **bonus_form.cleaned_data)
            except ApplicationError as exc:
                _form_error(bonus_form, exc)
                status = _status(exc)
            else:
                messages.success(request, _("Bonus item added."))
                return redirect("rounds:settings", pk=rnd.pk)
        else:
            status = 422
    context = {
        "round": rnd,
        "form": form,
        "bonus_form": bonus_form,
        "bonus_items": BonusItem.objects.filter(round=rnd),
        "body_rules_form": body_rules_form,
    }
    return render(request, "rounds/settings.html", context, status=status)


@role_required(PO)
def round_criteria(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    body = Body.objects.filter(code=request.GET.get("body", "")).first()
    current = list(Criterion.objects.filter(round=rnd, body=body))
    rows = max(len(current) + 2, 6)
    initial: dict[str, Any] = {}
    for i, c in enumerate(current):
        initial[f"key_{i}"], initial[f"name_{i}"], initial[f"weight_{i}"] = c.key, c.name_ko, c.weight
        initial[f"rubric_{i}"] = "\n".join(f"{k}: {v}" for k, v in sorted(c.rubric.items()))
    form = CriteriaForm(request.POST or None, initial=initial, rows=rows)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            items = [
                setup_services.CriterionInput(
                    key=i["key"], name_ko=i["name_ko"], weight=i["weight"], rubric=i["rubric"]
                )
                for i in form.items()
            ]
            try:
                setup_services.criteria_set(round=rnd, items=items, body=body, acting_user=request.user)
            except ApplicationError as exc:
                rowmap = {n: i["row"] for n, i in enumerate(form.items())}
                for d in exc.details:
                    if (
                        d.row is not None
                        and d.field
                        and f"{d.field}_{rowmap.get(d.row, d.row)}" in form.fields
                    ):
                        form.add_error(f"{d.field}_{rowmap.get(d.row, d.row)}", d.message)
                    elif d.field == "weight" and d.row is None:
                        form.add_error(None, d.message)
                    else:
                        form.add_error(None, d.message or exc.message)
                status = _status(exc)
            else:
                messages.success(request, _("Criteria saved."))
                return redirect("rounds:detail", pk=rnd.pk)
        else:
            status = 422
    context = {
        "round": rnd,
        "form": form,
        "body": body,
        "bodies": rnd.program.bodies.all() or Body.objects.all(),
        "total": sum(c.weight for c in current),
    }
    return render(request, "rounds/criteria.html", context, status=status)


@role_required(PO)
def round_quotas(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    codes = list(rnd.program.bodies.values_list("code", flat=True)) or list(
        Body.objects.filter(active=True).exclude(kind=Body.Kind.FSC).values_list("code", flat=True)
    )
    initial: dict[str, Any] = {}
    sector_lines = []
    for q in Quota.objects.filter(round=rnd):
        if q.family == Quota.Family.TOTAL:
            initial["total_min"], initial["total_max"] = q.min_count, q.max_count
        elif q.family == Quota.Family.BODY:
            initial[f"body_{q.key}_min"], initial[f"body_{q.key}_max"] = q.min_count, q.max_count
        else:
            sector_lines.append(
                f"{q.key},{'' if q.min_count is None else q.min_count},{'' if q.max_count is None else q.max_count}"
            )
    initial["sectors"] = "\n".join(sector_lines)
    form = QuotaForm(request.POST or None, initial=initial, body_codes=codes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            rows = []
            if d.get("total_min") is not None or d.get("total_max") is not None:
                rows.append(setup_services.QuotaInput("total", "", d.get("total_min"), d.get("total_max")))
            for code in codes:
                lo, hi = d.get(f"body_{code}_min"), d.get(f"body_{code}_max")
                if lo is not None or hi is not None:
                    rows.append(setup_services.QuotaInput("body", code, lo, hi))
            rows += [setup_services.QuotaInput("sector", key, lo, hi) for key, lo, hi in d["sectors"]]
            try:
                setup_services.quotas_set(round=rnd, rows=rows, acting_user=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                for det in exc.details:
                    form.add_error(None, det.message)
                status = _status(exc)
            else:
                messages.success(request, _("Quotas saved."))
                return redirect("rounds:detail", pk=rnd.pk)
        else:
            status = 422
    return render(request, "rounds/quotas.html", {"round": rnd, "form": form}, status=status)


# --- nominations and candidacies -----------------------------------------------------------------------------


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
            _form_error(form, exc)
            status = _status(exc)
            if exc.code == "company_exists":
                existing = selectors.company_by_brn(brn=d["brn"])
        else:
            c = nomination.candidacy
            name = c.company.name_ko
            if c.eligible and new:
                messages.success(request, _("%(company)s registered and nominated.") % {"company": name})
            elif c.eligible:
                messages.success(request, _("%(company)s nominated.") % {"company": name})
            else:
                messages.warning(
                    request,
                    _("%(company)s nominated, but it is not eligible: %(why)s")
                    % {
                        "company": name,
                        "why": "; ".join(r["message"] for r in c.eligibility_reasons if r["ok"] == "no"),
                    },
                )
            return redirect("rounds:nominations", pk=rnd.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "rounds/nominate.html",
        {"round": rnd, "form": form, "body": request.user.body, "existing": existing},
        status=status,
    )


@role_required(Role.MINISTRY_OFFICER, PO)
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


@role_required(Role.MINISTRY_OFFICER, *OFFICE_READ)
def nomination_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    qs = selectors.nominations_for(user=request.user, round=rnd, body_code=request.GET.get("body", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_nominate = request.user.role == Role.MINISTRY_OFFICER and rnd.state == "nominating"
    return render(
        request, "rounds/nominations.html", {"round": rnd, "page_obj": page, "can_nominate": can_nominate}
    )


@role_required(Role.MINISTRY_OFFICER, *OFFICE_READ)
def candidacy_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    qs = selectors.candidacies_for(
        user=request.user,
        round=rnd,
        body_code=request.GET.get("body", ""),
        sector=request.GET.get("sector", ""),
        eligible=request.GET.get("eligible", ""),
        q=request.GET.get("q", "").strip(),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "rounds/_candidacy_rows.html" if request.htmx else "rounds/candidacies.html"
    return render(request, template, {"round": rnd, "page_obj": page})


@role_required(Role.MINISTRY_OFFICER, Role.EVALUATOR, *OFFICE_READ)
def candidacy_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    context: dict[str, Any] = {"c": c, "file": selectors.candidacy_file(candidacy=c)}
    if request.user.role in OFFICE_READ:
        context["assignments"] = c.assignments.filter(active=True).select_related("evaluator__user", "review")
        context["conflicts"] = Conflict.objects.filter(candidacy=c).select_related("evaluator__user")
        if request.user.role == PO:
            context["override_form"] = OverrideForm(initial={"eligible": "1" if c.eligible else "0"})
    return render(request, "rounds/candidacy.html", context)


@role_required(PO)
@require_POST
def candidacy_override(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
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
    else:
        messages.error(request, _("An override needs a reason."))
    return redirect("rounds:candidacy", pk=c.pk)


# --- evaluators ------------------------------------------------------------------------------------------------


@role_required(*OFFICE_READ)
def evaluator_list(request: AuthedRequest) -> HttpResponse:
    pool = selectors.evaluator_pool()
    without = User.objects.filter(role=Role.EVALUATOR, evaluator_profile__isnull=True).order_by("username")
    page = Paginator(pool, 50).get_page(request.GET.get("page"))
    return render(request, "rounds/evaluators.html", {"page_obj": page, "without": without})


@role_required(PO)
def evaluator_edit(request: AuthedRequest, user_pk: int) -> HttpResponse:
    user = User.objects.filter(pk=user_pk, role=Role.EVALUATOR).first()
    if user is None:
        raise Http404
    return _profile_page(request, user, back="rounds:evaluators")


@role_required(Role.EVALUATOR)
def my_profile(request: AuthedRequest) -> HttpResponse:
    return _profile_page(request, request.user, back="rounds:my_profile")


def _profile_page(request: AuthedRequest, user: Any, *, back: str) -> HttpResponse:
    profile = EvaluatorProfile.objects.filter(user=user).first()
    initial = (
        {f: getattr(profile, f) for f in ("affiliation", "ksic_sections", "keywords", "expertise")}
        if profile
        else {}
    )
    is_rel = request.method == "POST" and "add_relationship" in request.POST
    form = EvaluatorProfileForm(
        request.POST if request.method == "POST" and not is_rel else None, initial=initial
    )
    rel_form = RelationshipForm(request.POST if is_rel else None)
    status = 200
    if request.method == "POST" and not is_rel:
        if form.is_valid():
            try:
                evaluator_services.evaluator_profile_save(
                    user=user, acting_user=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                _form_error(form, exc)
                status = _status(exc)
            else:
                messages.success(request, _("Profile saved."))
                return redirect(back, **({"user_pk": user.pk} if back == "rounds:evaluator_edit" else {}))
        else:
            status = 422
    if is_rel:
        if profile is None:
            rel_form.add_error(None, _("Save the profile first."))
            status = 422
        elif rel_form.is_valid():
            company = selectors.company_by_brn(brn=rel_form.cleaned_data["brn"])
            if company is None:
                rel_form.add_error("brn", _("No company with this number in the registry."))
                status = 422
            else:
                try:
                    evaluator_services.evaluator_relationship_add(
                        evaluator=profile,
                        company=company,
                        kind=rel_form.cleaned_data["kind"],
                        note=rel_form.cleaned_data["note"],
                        acting_user=request.user,
                    )
                except ApplicationError as exc:
                    _form_error(rel_form, exc)
                    status = _status(exc)
                else:
                    messages.success(request, _("Relationship declared."))
                    return redirect(request.path)
        else:
            status = 422
    relationships = profile.relationships.select_related("company") if profile else []
    context = {
        "profile_user": user,
        "profile": profile,
        "form": form,
        "rel_form": rel_form,
        "relationships": relationships,
    }
    return render(request, "rounds/profile.html", context, status=status)


# --- assignment ---------------------------------------------------------------------------------------------


@role_required(*OFFICE_READ)
def assignment_page(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    rows = selectors.candidacy_assignments(round=rnd)
    k = rnd.settings.reviews_per_candidacy
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "round": rnd,
        "page_obj": page,
        "k": k,
        "short": sum(1 for c in rows if len(c.active_assignments) < k),  # type: ignore[attr-defined,misc]
        "evaluators": EvaluatorProfile.objects.filter(active=True)
        .select_related("user")
        .order_by("user__username"),
        "can_change": request.user.role == PO and rnd.state in assignment_services.ASSIGNABLE_STATES,
    }
    return render(request, "rounds/assignments.html", context)


@role_required(PO)
@require_POST
def assignment_solve(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        outcome = assignment_services.assignment_solve(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for d in exc.details[:20]:
            messages.error(request, f"{d.field}: {d.message}")
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


@role_required(PO)
@require_POST
def assignment_change(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    form = AssignmentChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a change and give a reason."))
        return redirect("rounds:assignments", pk=rnd.pk)
    d = form.cleaned_data
    candidacy = Candidacy.objects.filter(pk=d["candidacy"], round=rnd).first()
    if candidacy is None:
        raise Http404
    add = EvaluatorProfile.objects.filter(pk=d["add_evaluator"]).first() if d.get("add_evaluator") else None
    remove = (
        Assignment.objects.filter(pk=d["remove"], candidacy=candidacy).first() if d.get("remove") else None
    )
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
        messages.success(request, _("Assignment changed."))
    return redirect("rounds:assignments", pk=rnd.pk)


# --- evaluator's work -------------------------------------------------------------------------------------------


@role_required(Role.EVALUATOR)
def my_assignments(request: AuthedRequest) -> HttpResponse:
    items = selectors.my_assignments(user=request.user)
    return render(request, "rounds/my_assignments.html", {"items": items, "reason_form": ReasonForm()})


@role_required(Role.EVALUATOR)
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    a = selectors.access_assignment(user=request.user, pk=pk)
    c = a.candidacy
    settings = c.round.settings
    criteria = selectors.criteria_for(candidacy=c)
    bonus = [b for b in BonusItem.objects.filter(round=c.round_id) if b.body_id in (None, c.lead_body_id)]
    existing = Review.objects.filter(assignment=a).prefetch_related("scores", "bonus_items").first()
    initial: dict[str, Any] = {}
    if existing:
        for s in existing.scores.all():
            initial[f"score_{s.criterion_id}"], initial[f"comment_{s.criterion_id}"] = s.score, s.comment
        initial["comment"] = existing.comment
        initial["bonus_items"] = [str(b.pk) for b in existing.bonus_items.all()]
    scale = range(settings.score_min, settings.score_max + 1)
    form = ReviewForm(
        request.POST or None, initial=initial, criteria=criteria, scale=scale, bonus_items=bonus
    )
    status = 200
    if request.method == "GET":
        review_services.assignment_open(assignment=a, acting_user=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            scores = {
                c_.pk: review_services.ScoreInput(
                    score=d.get(f"score_{c_.pk}"), comment=d.get(f"comment_{c_.pk}", "")
                )
                for c_ in criteria
            }
            try:
                review_services.review_save(
                    assignment=a,
                    scores=scores,
                    comment=d.get("comment", ""),
                    bonus_item_ids=[int(x) for x in d.get("bonus_items", [])],
                    submit="submit" in request.POST,
                    acting_user=request.user,
                )
            except ApplicationError as exc:
                _form_error(form, exc)
                status = _status(exc)
            else:
                messages.success(
                    request, _("Review submitted.") if "submit" in request.POST else _("Draft saved.")
                )
                return redirect("rounds:review", pk=a.pk)
        else:
            status = 422
    context = {
        "a": a,
        "c": c,
        "file": selectors.candidacy_file(candidacy=c),
        "form": form,
        "review": existing,
        "panel": selectors.panel_reviews(assignment=a),
        "criteria": criteria,
        "scoring_open": review_services.scoring_open(c.round),
        "reason_form": ReasonForm(),
    }
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


@role_required(*OFFICE_READ)
def review_status(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    status = selectors.review_status(round=rnd)
    return render(
        request, "rounds/review_status.html", {"round": rnd, "status": status, "now": timezone.now()}
    )


# --- results, committee, publication -----------------------------------------------------------------------------


@role_required(*OFFICE_READ)
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    qs = selectors.results_for(round=rnd)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    run = selectors.latest_selection_run(round=rnd)
    context = {
        "round": rnd,
        "page_obj": page,
        "run": run,
        "decision": CommitteeDecision.objects.filter(round=rnd).select_related("decided_by").first(),
        "decision_form": DecisionForm(),
        "withdraw_form": DecisionWithdrawForm(),
        "force_form": ForceForm(),
        "is_office": request.user.role == PO,
        "publish_blockers": ROUND.blockers(ROUND.transition("publish"), rnd)
        if rnd.state == "selecting"
        else [],
        "quotas": Quota.objects.filter(round=rnd),
    }
    return render(request, "rounds/results.html", context)


def _office_action(request: AuthedRequest, pk: int, action: Any, success: str) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        result = action(rnd)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for d in exc.details[:20]:
            if d.message:
                messages.error(request, d.message)
    else:
        if result is not False:
            messages.success(request, success)
    return redirect("rounds:results", pk=rnd.pk)


@role_required(PO)
@require_POST
def aggregate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.scores_aggregate(round=rnd, acting_user=request.user),
        _("Scores aggregated."),
    )


@role_required(PO)
@require_POST
def select(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(rnd: Any) -> Any:
        outcome = selection_services.selection_run(round=rnd, acting_user=request.user)
        if not outcome.feasible:
            raise selection_services.infeasible_error(outcome)
        return outcome

    return _office_action(request, pk, run, _("Selection optimised."))


@role_required(PO)
@require_POST
def force(request: AuthedRequest, pk: int) -> HttpResponse:
    c = selectors.access_candidacy(user=request.user, pk=pk)
    form = ForceForm(request.POST)
    if form.is_valid():
        try:
            selection_services.candidacy_force(
                candidacy=c,
                forced=form.cleaned_data["forced"] or "",
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Override recorded; run the selection again to re-optimise the rest.")
            )
    else:
        messages.error(request, _("Choose in, out or clear."))
    return redirect("rounds:results", pk=c.round_id)


@role_required(PO)
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _office_action(
        request,
        pk,
        lambda rnd: selection_services.committee_decision_record(
            round=rnd, note=note, acting_user=request.user
        ),
        _("The committee's decision is recorded."),
    )


@role_required(PO)
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


@role_required(PO)
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(user=request.user, pk=pk)
    try:
        publication_services.round_publish(round=rnd, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("rounds:results", pk=rnd.pk)
    messages.success(request, _("Published. The selected companies have been told."))
    return redirect("rounds:public_selection", pk=rnd.pk)


# --- public --------------------------------------------------------------------------------------------------------


@public
def public_rounds(request: AuthedRequest) -> HttpResponse:
    rounds = selectors.round_list(user=None).filter(publication__isnull=False).select_related("publication")
    return render(request, "rounds/public_rounds.html", {"rounds": rounds})


@public
def public_selection(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.published_round(pk=pk)
    qs = selectors.published_selections(round=rnd)
    body = request.GET.get("body", "")
    if body:
        qs = qs.filter(body__code=body)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    bodies = Body.objects.filter(pk__in=selectors.published_selections(round=rnd).values("body_id"))
    return render(request, "rounds/public_selection.html", {"round": rnd, "page_obj": page, "bodies": bodies})


@public
def public_selection_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    rnd = selectors.published_round(pk=pk)
    content = selections_xlsx(round=rnd, rows=selectors.published_selections(round=rnd))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="nic1000-round{rnd.number}-selection.xlsx"'
    return response
