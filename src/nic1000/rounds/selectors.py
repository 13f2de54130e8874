"""Reads about rounds, scoped to the reader: rounds, nominations, candidacies, assignments and reviews
(`access_*` give the same 404 for missing and forbidden), and the registry's eligibility verdict. What each page
shows is composed from these in `rounds.pages`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.roles import OFFICE_AND_AUDIT, PROGRAMME_READERS, Role, RoleSet
from nic1000.registry.evidence import company_evidence
from nic1000.registry.models import Body, Company, FinancialStatement
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    Criterion,
    EligibilityRule,
    EvaluatorProfile,
    Nomination,
    PublishedSelection,
    Quota,
    Review,
    Round,
    SelectionRun,
)
from nic1000.rounds.workflows import RoundAction, states_allowing

# Who reads the rounds of the programme: the programme readers, the ministries that nominate and the evaluators.
ROUND_READERS: RoleSet = PROGRAMME_READERS | {Role.MINISTRY_OFFICER, Role.EVALUATOR}


# --- eligibility -------------------------------------------------------------------------------------------


def _rule_kinds(round: Round, body: Body | None) -> list[str]:
    """The round's rules that apply, a nominating body's own rule of a kind replacing the round's."""
    scope = Q(body__isnull=True) if body is None else Q(body__isnull=True) | Q(body_id=body.pk)
    active: dict[str, bool] = {}
    for kind, body_id, on in (
        EligibilityRule.objects.filter(scope, round=round)
        .order_by("id")
        .values_list("kind", "body_id", "active")
    ):
        if body_id is not None or kind not in active:
            active[kind] = on
    return [kind for kind, on in active.items() if on]


def _unknown(statement: FinancialStatement | None) -> str | None:
    """Why the last fiscal year cannot be checked, or None when it can."""
    if statement is None:
        return _("No financial statement in the registry to check.")
    # Statements for year n are filed by the end of March of n+1: before then the last fiscal year on file
    # may be n-2. Anything older says nothing about the last fiscal year.
    if statement.fiscal_year < timezone.localdate().year - 2:
        return _(
            "The latest statement in the registry is for fiscal year %(y)d: the last fiscal year's is needed "
            "to check."
        ) % {"y": statement.fiscal_year}
    return None


def _rule_verdict(kind: str, last: FinancialStatement) -> tuple[bool, str]:
    """(the rule excludes the company, what the statement shows)."""
    if kind == EligibilityRule.Kind.CREDIT_DELINQUENCY:
        bad = last.credit_delinquency
        msg = (
            _("Credit delinquency recorded in fiscal year %(y)d.")
            if bad
            else _("No credit delinquency in fiscal year %(y)d.")
        ) % {"y": last.fiscal_year}
        return bad, msg
    bad = last.equity <= 0
    msg = (
        _("Full capital impairment in fiscal year %(y)d (equity %(e)s KRW).")
        if bad
        else _("Equity positive in fiscal year %(y)d (%(e)s KRW).")
    ) % {"y": last.fiscal_year, "e": f"{last.equity:,}"}
    return bad, msg


def eligibility_for(
    *, round: Round, company: Company, body: Body | None = None
) -> tuple[bool, list[dict[str, str]]]:
    """Evaluate the round's active eligibility rules on the company's last fiscal year in the registry; a
    nominating body's own rule of a kind replaces the round's default rule of that kind.
    Returns (eligible, reasons), each reason {"rule", "ok": "yes"/"no"/"unknown", "message"}."""
    rules = _rule_kinds(round, body)
    if not rules:
        return True, []
    last = (
        FinancialStatement.objects.filter(company=company)
        .only("fiscal_year", "credit_delinquency", "equity")
        .order_by("-fiscal_year")
        .first()
    )
    unknown = _unknown(last)
    if last is None or unknown is not None:
        return True, [{"rule": kind, "ok": "unknown", "message": unknown or ""} for kind in rules]
    reasons: list[dict[str, str]] = []
    eligible = True
    for kind in rules:
        bad, msg = _rule_verdict(kind, last)
        eligible = eligible and not bad
        reasons.append({"rule": kind, "ok": "no" if bad else "yes", "message": msg})
    return eligible, reasons


# --- rounds -----------------------------------------------------------------------------------------------


def _published(qs: QuerySet[Round]) -> QuerySet[Round]:
    return qs.filter(state__in=states_allowing(RoundAction.SHOW_PUBLICATION))


def round_list(*, user: User) -> QuerySet[Round]:
    qs = Round.objects.select_related("program").annotate(n_candidacies=Count("candidacies", distinct=True))
    return qs if has_role(user, ROUND_READERS) else _published(qs)


def published_rounds() -> QuerySet[Round]:
    """Rounds whose selection is published, newest first, with their publication."""
    return _published(Round.objects.filter(publication__isnull=False)).select_related("publication")


def access_round(*, user: User, pk: int) -> Round:
    qs = Round.objects.select_related("program", "settings")
    if not has_role(user, ROUND_READERS):
        qs = _published(qs)
    rnd = qs.filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def published_round(*, pk: int) -> Round:
    rnd = (
        _published(Round.objects.filter(pk=pk, publication__isnull=False))
        .select_related("publication")
        .first()
    )
    if rnd is None:
        raise Http404
    return rnd


def published_selections(*, round: Round, body_code: str = "") -> QuerySet[PublishedSelection]:
    qs = PublishedSelection.objects.filter(round=round).select_related("body")
    if body_code:
        qs = qs.filter(body__code=body_code)
    return qs.order_by("rank", "id")


def published_bodies(*, round: Round) -> QuerySet[Body]:
    """The bodies with a company in the round's published selection (the public list's filter)."""
    return Body.objects.filter(pk__in=PublishedSelection.objects.filter(round=round).values("body_id"))


# --- configuration ------------------------------------------------------------------------------------------


def quota_body_codes(*, round: Round) -> list[str]:
    """The bodies a round's quotas may name: the programme's, else every active nominating body."""
    return list(round.program.bodies.values_list("code", flat=True)) or list(
        Body.objects.filter(active=True).exclude(kind=Body.Kind.FSC).values_list("code", flat=True)
    )


def quotas_of(*, round: Round) -> list[Quota]:
    return list(Quota.objects.filter(round=round))


# --- nominations and candidacies ----------------------------------------------------------------------------


def _own_body_id(user: User) -> int:
    """A ministry officer's body (every officer has one: a database constraint)."""
    if user.body_id is None:
        raise Http404
    return user.body_id


def _nominated_by_own_body(user: User) -> Exists:
    return Exists(Nomination.objects.filter(candidacy=OuterRef("pk"), body_id=_own_body_id(user)))


def nominations_for(*, user: User, round: Round, body_code: str = "") -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(candidacy__round=round).select_related(
        "candidacy__company", "body", "nominated_by"
    )
    if has_role(user, {Role.MINISTRY_OFFICER}):
        qs = qs.filter(body_id=_own_body_id(user))
    elif not has_role(user, OFFICE_AND_AUDIT):
        return qs.none()
    if body_code:
        qs = qs.filter(body__code=body_code)
    return qs.order_by("-created_at", "-id")


def candidacies_for(
    *, user: User, round: Round, body_code: str = "", sector: str = "", eligible: str = "", q: str = ""
) -> QuerySet[Candidacy]:
    qs = (
        Candidacy.objects.filter(round=round)
        .select_related("company", "lead_body")
        .prefetch_related(Prefetch("nominations", queryset=Nomination.objects.select_related("body")))
        .annotate(n_assigned=Count("assignments", filter=Q(assignments__active=True), distinct=True))
    )
    if has_role(user, {Role.MINISTRY_OFFICER}):
        qs = qs.filter(_nominated_by_own_body(user))
    elif not has_role(user, OFFICE_AND_AUDIT):
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


def access_candidacy(*, user: User, pk: int) -> Candidacy:
    qs = Candidacy.objects.select_related("round__settings", "company__ksic", "lead_body")
    if has_role(user, OFFICE_AND_AUDIT):
        pass
    elif has_role(user, {Role.MINISTRY_OFFICER}):
        qs = qs.filter(_nominated_by_own_body(user))
    elif has_role(user, {Role.EVALUATOR}):
        qs = qs.filter(assignments__evaluator__user=user, assignments__active=True)
    else:
        raise Http404
    c = qs.filter(pk=pk).first()
    if c is None:
        raise Http404
    return c


def candidacy_in_round(*, round: Round, pk: int) -> Candidacy:
    c = Candidacy.objects.filter(pk=pk, round=round).first()
    if c is None:
        raise Http404
    return c


def candidacy_file(*, candidacy: Candidacy) -> dict[str, Any]:
    """What an evaluator sees: profile, patents, technologies, a financial summary (last three years) and the
    evidence panel computed from them (`registry.evidence`)."""
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
    patents = list(company.patents.all()[:50])
    technologies = list(company.technologies.all())
    return {
        "company": company,
        "patents": patents,
        "technologies": technologies,
        "statements": statements,
        "nominations": list(candidacy.nominations.select_related("body").all()),
        "evidence": company_evidence(
            company=company, patents=patents, technologies=technologies, statements=statements
        ),
    }


def criteria_for(*, candidacy: Candidacy) -> list[Criterion]:
    """The lead body's own criteria when it has a set, else the round's default set."""
    own = list(Criterion.objects.filter(round_id=candidacy.round_id, body_id=candidacy.lead_body_id))
    return own or list(Criterion.objects.filter(round_id=candidacy.round_id, body__isnull=True))


# --- evaluators -------------------------------------------------------------------------------------------


def evaluator_pool() -> QuerySet[EvaluatorProfile]:
    return (
        EvaluatorProfile.objects.select_related("user")
        .annotate(n_active=Count("assignments", filter=Q(assignments__active=True)))
        .order_by("user__username")
    )


def evaluators_without_profile() -> QuerySet[User]:
    return User.objects.filter(role=Role.EVALUATOR, evaluator_profile__isnull=True).order_by("username")


def access_evaluator_user(*, pk: int) -> User:
    """A user with the evaluator role (the programme office edits their profile)."""
    user = User.objects.filter(pk=pk, role=Role.EVALUATOR).first()
    if user is None:
        raise Http404
    return user


def active_evaluators() -> list[EvaluatorProfile]:
    return list(
        EvaluatorProfile.objects.filter(active=True).select_related("user").order_by("user__username")
    )


def evaluator_by_pk(*, pk: int) -> EvaluatorProfile:
    e = EvaluatorProfile.objects.filter(pk=pk).first()
    if e is None:
        raise Http404
    return e


def company_by_brn(*, brn: str) -> Company | None:
    return Company.objects.filter(brn=brn).first() if brn else None


# --- assignments and reviews ------------------------------------------------------------------------------


def assignment_on(*, candidacy: Candidacy, pk: int) -> Assignment:
    a = Assignment.objects.filter(pk=pk, candidacy=candidacy).first()
    if a is None:
        raise Http404
    return a


def my_assignments(*, user: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(evaluator__user=user, active=True)
        .select_related("candidacy__company", "candidacy__lead_body", "round", "review")
        .order_by("round_id", "candidacy__company__name_ko", "id")
    )


def access_assignment(*, user: User, pk: int) -> Assignment:
    """The evaluator's own active assignment (another's, an ended one or a missing one: the same 404)."""
    if not has_role(user, {Role.EVALUATOR}):
        raise Http404
    a = (
        Assignment.objects.select_related(
            "candidacy__company", "candidacy__round__settings", "candidacy__lead_body", "evaluator"
        )
        .filter(pk=pk, evaluator__user=user, active=True)
        .first()
    )
    if a is None:
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
        review = getattr(a, "review", None)
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
        "overdue": bool(passed and missing),
    }


# --- results and selection --------------------------------------------------------------------------------


def latest_selection_run(*, round: Round) -> SelectionRun | None:
    return round.selection_runs.order_by("-run_at", "-id").first()


def results_for(*, round: Round) -> QuerySet[Candidacy]:
    """The result table: candidacies by rank (selected first), then by score."""
    return (
        Candidacy.objects.filter(round=round)
        .select_related("company", "lead_body")
        .order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "id")
    )
