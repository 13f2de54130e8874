"""Reads about rounds: membership (shared by finance and monitoring), and scoped access to nominations,
candidacies, assignments and reviews. `access_*` give the same 404 for missing and forbidden."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.roles import Role
from nic1000.registry.models import Company, FinancialStatement
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    Criterion,
    EligibilityRule,
    EvaluatorProfile,
    Nomination,
    PublishedSelection,
    Review,
    Round,
)

PROGRAM_WIDE = (Role.PROGRAM_OFFICE, Role.AUDITOR)
ROUND_READERS = (Role.PROGRAM_OFFICE, Role.AUDITOR, Role.MINISTRY_OFFICER, Role.EVALUATOR, Role.SUPPORT_GROUP)


# --- eligibility -------------------------------------------------------------------------------------------


def eligibility_for(*, round: Round, company: Company, body: Any = None) -> tuple[bool, list[dict[str, str]]]:
    """Evaluate the round's active eligibility rules on the company's last fiscal year in the registry; a
    nominating body's own rule of a kind replaces the round's default rule of that kind.
    Returns (eligible, reasons), each reason {"rule", "ok": "yes"/"no"/"unknown", "message"}."""
    scope = Q(body__isnull=True) if body is None else Q(body__isnull=True) | Q(body_id=body.pk)
    active: dict[str, bool] = {}
    for kind, body_id, on in (
        EligibilityRule.objects.filter(scope, round=round)
        .order_by("id")
        .values_list("kind", "body_id", "active")
    ):
        if body_id is not None or kind not in active:
            active[kind] = on
    rules = [kind for kind, on in active.items() if on]
    if not rules:
        return True, []
    last = (
        FinancialStatement.objects.filter(company=company)
        .only("fiscal_year", "credit_delinquency", "equity")
        .order_by("-fiscal_year")
        .first()
    )
    reasons: list[dict[str, str]] = []
    eligible = True
    # Statements for year n are filed by the end of March of n+1: before then the last fiscal year on file
    # may be n-2. Anything older says nothing about the last fiscal year.
    oldest_current = timezone.localdate().year - 2
    for kind in rules:
        if last is None:
            reasons.append(
                {
                    "rule": kind,
                    "ok": "unknown",
                    "message": _("No financial statement in the registry to check."),
                }
            )
            continue
        if last.fiscal_year < oldest_current:
            reasons.append(
                {
                    "rule": kind,
                    "ok": "unknown",
                    "message": _(
                        "The latest statement in the registry is for fiscal year %(y)d: the last fiscal "
                        "year's is needed to check."
                    )
                    % {"y": last.fiscal_year},
                }
            )
            continue
        if kind == EligibilityRule.Kind.CREDIT_DELINQUENCY:
            bad = last.credit_delinquency
            msg = (
                _("Credit delinquency recorded in fiscal year %(y)d.")
                if bad
                else _("No credit delinquency in fiscal year %(y)d.")
            ) % {"y": last.fiscal_year}
        else:
            bad = last.equity <= 0
            msg = (
                _("Full capital impairment in fiscal year %(y)d (equity %(e)s KRW).")
                if bad
                else _("Equity positive in fiscal year %(y)d (%(e)s KRW).")
            ) % {"y": last.fiscal_year, "e": f"{last.equity:,}"}
        eligible = eligible and not bad
        reasons.append({"rule": kind, "ok": "no" if bad else "yes", "message": msg})
    return eligible, reasons


# --- rounds -----------------------------------------------------------------------------------------------


def round_list(*, user: Any) -> QuerySet[Round]:
    qs = Round.objects.select_related("program").annotate(n_candidacies=Count("candidacies", distinct=True))
    if getattr(user, "role", None) in ROUND_READERS:
        return qs
    return qs.filter(state__in=("published", "closed"))


def access_round(*, user: Any, pk: int) -> Round:
    qs = Round.objects.select_related("program", "settings")
    if getattr(user, "role", None) not in ROUND_READERS:
        qs = qs.filter(state__in=("published", "closed"))
    rnd = qs.filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def published_round(*, pk: int) -> Round:
    rnd = Round.objects.filter(pk=pk, state__in=("published", "closed"), publication__isnull=False).first()
    if rnd is None:
        raise Http404
    return rnd


def published_selections(*, round: Round) -> QuerySet[PublishedSelection]:
    return PublishedSelection.objects.filter(round=round).select_related("body").order_by("rank", "id")


# --- nominations and candidacies ----------------------------------------------------------------------------


def nominations_for(*, user: Any, round: Round, body_code: str = "") -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(candidacy__round=round).select_related(
        "candidacy__company", "body", "nominated_by"
    )
    role = getattr(user, "role", None)
    if role == Role.MINISTRY_OFFICER:
        qs = qs.filter(body_id=user.body_id)
    elif role not in PROGRAM_WIDE:
        return qs.none()
    if body_code:
        qs = qs.filter(body__code=body_code)
    return qs.order_by("-created_at", "-id")


def candidacies_for(
    *, user: Any, round: Round, body_code: str = "", sector: str = "", eligible: str = "", q: str = ""
) -> QuerySet[Candidacy]:
    qs = (
        Candidacy.objects.filter(round=round)
        .select_related("company", "lead_body")
        .prefetch_related(Prefetch("nominations", queryset=Nomination.objects.select_related("body")))
        .annotate(n_assigned=Count("assignments", filter=Q(assignments__active=True), distinct=True))
    )
    role = getattr(user, "role", None)
    if role == Role.MINISTRY_OFFICER:
        qs = qs.filter(Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), body_id=user.body_id)))
    elif role not in PROGRAM_WIDE:
        return qs.none()
    if body_code:
        qs = qs.filter(Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), body__code=body_code)))
    if sector:
        qs = qs.filter(sector=sector)
    if eligible in ("yes", "no"):
        qs = qs.filter(eligible=eligible == "yes")
    if q:
        qs = qs.filter(
            Q(company__name_ko__icontains=q) | Q(company__name_en__icontains=q) | Q(company__brn=q)
        )
    return qs.order_by("company__name_ko", "id")


def access_candidacy(*, user: Any, pk: int) -> Candidacy:
    qs = Candidacy.objects.select_related("round__settings", "company__ksic", "lead_body")
    role = getattr(user, "role", None)
    if role in PROGRAM_WIDE:
        pass
    elif role == Role.MINISTRY_OFFICER:
        qs = qs.filter(Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), body_id=user.body_id)))
    elif role == Role.EVALUATOR:
        qs = qs.filter(assignments__evaluator__user=user, assignments__active=True)
    else:
        raise Http404
    c = qs.filter(pk=pk).first()
    if c is None:
        raise Http404
    return c


def candidacy_file(*, candidacy: Candidacy) -> dict[str, Any]:
    """What an evaluator sees: profile, patents, technologies and a financial summary (last three years)."""
    company = candidacy.company
    statements = list(
        FinancialStatement.objects.filter(company=company)
        .order_by("-fiscal_year")
        .only(
            "fiscal_year",
            "sales",
            "profit_on_operating_activities",
            "net_profit",
            "total_assets",
            "equity",
            "total_liabilities",
        )[:3]
    )
    return {
        "company": company,
        "patents": list(company.patents.all()[:50]),
        "technologies": list(company.technologies.all()),
        "statements": statements,
        "nominations": list(candidacy.nominations.select_related("body").all()),
    }


def criteria_for(*, candidacy: Candidacy) -> list[Criterion]:
    """The lead body's own criteria when it has a set, else the round's default set."""
    own = list(Criterion.objects.filter(round_id=candidacy.round_id, body_id=candidacy.lead_body_id))
    return own or list(Criterion.objects.filter(round_id=candidacy.round_id, body__isnull=True))


# --- evaluators, assignments, reviews -----------------------------------------------------------------------


def evaluator_profile_for(*, user: Any) -> EvaluatorProfile | None:
    return EvaluatorProfile.objects.filter(user=user).first() if getattr(user, "pk", None) else None


def my_assignments(*, user: Any, round: Round | None = None) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(evaluator__user=user, active=True).select_related(
        "candidacy__company", "candidacy__lead_body", "round", "review"
    )
    if round is not None:
        qs = qs.filter(round=round)
    return qs.order_by("round_id", "candidacy__company__name_ko", "id")


def access_assignment(*, user: Any, pk: int) -> Assignment:
    a = (
        Assignment.objects.select_related("candidacy__company", "candidacy__round__settings", "evaluator")
        .filter(pk=pk, evaluator__user=user, active=True)
        .first()
    )
    if a is None or getattr(user, "role", None) != Role.EVALUATOR:
        raise Http404
    return a


def panel_reviews(*, assignment: Assignment) -> list[Review] | None:
    """The other evaluators' submitted reviews, only once this evaluator has submitted (else None)."""
    own = Review.objects.filter(assignment=assignment).first()
    if own is None or own.state != Review.State.SUBMITTED:
        return None
    return list(
        Review.objects.filter(assignment__candidacy_id=assignment.candidacy_id, state=Review.State.SUBMITTED)
        .exclude(assignment=assignment)
        .select_related("assignment__evaluator__user")
        .prefetch_related("scores__criterion")
    )


def review_status(*, round: Round) -> dict[str, Any]:
    """Missing and late reviews for the programme office. Missing: not submitted yet. Late: still missing
    once the deadline has passed, or submitted after it (a deadline moved earlier)."""
    now = timezone.now()
    deadline = round.scoring_deadline
    passed = bool(deadline and now > deadline)
    active = Assignment.objects.filter(round=round, active=True).select_related(
        "candidacy__company", "evaluator__user", "review"
    )
    missing, late, submitted = [], [], 0
    for a in active.order_by("evaluator_id", "id"):
        review = getattr(a, "review", None) if hasattr(a, "review") else None
        if review is not None and review.state == Review.State.SUBMITTED:
            submitted += 1
            if deadline and review.submitted_at and review.submitted_at > deadline:
                late.append(a)
        else:
            missing.append(a)
            if passed:
                late.append(a)
    return {
        "total": len(missing) + submitted,
        "submitted": submitted,
        "missing": missing,
        "late": late,
        "overdue": bool(deadline and now > deadline and missing),
    }


def evaluator_pool() -> QuerySet[EvaluatorProfile]:
    return (
        EvaluatorProfile.objects.select_related("user")
        .annotate(n_active=Count("assignments", filter=Q(assignments__active=True)))
        .order_by("user__username")
    )


def company_by_brn(*, brn: str) -> Company | None:
    return Company.objects.filter(brn=brn).first() if brn else None


def latest_selection_run(*, round: Round) -> Any:
    return round.selection_runs.order_by("-run_at", "-id").first()


def results_for(*, round: Round) -> QuerySet[Candidacy]:
    """The result table: candidacies by rank (selected first), then by score."""
    from django.db.models import F

    return (
        Candidacy.objects.filter(round=round)
        .select_related("company", "lead_body")
        .order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "id")
    )


def candidacy_assignments(*, round: Round) -> list[Candidacy]:
    """Eligible candidacies with their active assignments (`active_assignments`), for the assignment page."""
    return list(
        Candidacy.objects.filter(round=round, eligible=True)
        .select_related("company")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(active=True).select_related("evaluator__user", "review"),
                to_attr="active_assignments",
            )
        )
        .order_by("company__name_ko", "id")
    )
