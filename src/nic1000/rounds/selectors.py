"""Reads about rounds, scoped to the reader: rounds, nominations, candidacies, assignments and reviews
(`access_*` give the same 404 for missing and forbidden), and the registry's eligibility verdict. What each page
shows is composed from these in `rounds.pages`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_compact
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, PROGRAMME_READERS, Role, RoleSet
from nic1000.registry.evidence import company_evidence
from nic1000.registry.models import Body, Company, FinancialStatement
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    Criterion,
    EligibilityRule,
    EvaluatorEffect,
    EvaluatorProfile,
    Nomination,
    PublishedSelection,
    Quota,
    Review,
    Round,
    SelectionQuality,
    SelectionRun,
)
from nic1000.rounds.selection_texts import eligibility_text
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


def _unknown(statement: FinancialStatement | None) -> tuple[str, dict[str, Any]] | None:
    """Why the last fiscal year cannot be checked (msgid, params), or None when it can."""
    if statement is None:
        return gettext_noop("No financial statement in the registry to check."), {}
    # Statements for year n are filed by the end of March of n+1: before then the last fiscal year on file
    # may be n-2. Anything older says nothing about the last fiscal year.
    if statement.fiscal_year < timezone.localdate().year - 2:
        return (
            gettext_noop(
                "The latest statement in the registry is for fiscal year %(y)d: the last fiscal year's is needed "
                "to check."
            ),
            {"y": statement.fiscal_year},
        )
    return None


def _rule_verdict(kind: str, last: FinancialStatement) -> tuple[bool, str, dict[str, Any]]:
    """(the rule excludes the company, what the statement shows as msgid and params)."""
    if kind == EligibilityRule.Kind.CREDIT_DELINQUENCY:
        bad = last.credit_delinquency
        msgid = (
            gettext_noop("Credit delinquency recorded in fiscal year %(y)d.")
            if bad
            else gettext_noop("No credit delinquency in fiscal year %(y)d.")
        )
        return bad, msgid, {"y": last.fiscal_year}
    bad = last.equity <= 0
    msgid = (
        gettext_noop("Full capital impairment in fiscal year %(y)d (equity %(e)s).")
        if bad
        else gettext_noop("Equity positive in fiscal year %(y)d (%(e)s).")
    )
    return bad, msgid, {"y": last.fiscal_year, "e": int(last.equity)}


def _reason(kind: str, ok: str, msgid: str, params: dict[str, Any]) -> dict[str, Any]:
    """One reason as stored with the candidacy: the msgid and its values (worded for each reader by
    `rounds.selection_texts.eligibility_text`), and the words in the current language."""
    reason = {"rule": kind, "ok": ok, "msgid": msgid, "params": params}
    return {**reason, "message": eligibility_text(reason)}


def eligibility_for(
    *, round: Round, company: Company, body: Body | None = None
) -> tuple[bool, list[dict[str, Any]]]:
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
        msgid, params = unknown or ("", {})
        return True, [_reason(kind, "unknown", msgid, params) for kind in rules]
    reasons: list[dict[str, Any]] = []
    eligible = True
    for kind in rules:
        bad, msgid, params = _rule_verdict(kind, last)
        eligible = eligible and not bad
        reasons.append(_reason(kind, "no" if bad else "yes", msgid, params))
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


def companies_nominated_by(body_id: int) -> QuerySet[Company]:
    """The companies a body nominated in any round (its officers may invite their representatives; registered
    with accounts in `rounds.apps`)."""
    return Company.objects.filter(
        Exists(Nomination.objects.filter(candidacy__company=OuterRef("pk"), body_id=body_id))
    )


def _company_match(q: str, prefix: str) -> Q:
    """A company by name (either language) or BRN (with or without dashes)."""
    return (
        Q(**{f"{prefix}name_ko__icontains": q})
        | Q(**{f"{prefix}name_en__icontains": q})
        | Q(**{f"{prefix}brn": brn_compact(q)})
    )


def nominations_for(*, user: User, round: Round, body_code: str = "", q: str = "") -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(candidacy__round=round).select_related(
        "candidacy__company", "body", "nominated_by"
    )
    if has_role(user, {Role.MINISTRY_OFFICER}):
        qs = qs.filter(body_id=_own_body_id(user))
    elif not has_role(user, OFFICE_AND_AUDIT):
        return qs.none()
    if body_code:
        qs = qs.filter(body__code=body_code)
    if q.strip():
        qs = qs.filter(_company_match(q.strip(), "candidacy__company__"))
    return qs.order_by("-created_at", "-id")


def access_nomination(*, user: User, pk: int) -> Nomination:
    """One nomination its body's officer (or the programme office) may change; anyone else: 404."""
    qs = Nomination.objects.select_related("candidacy__round", "candidacy__company", "body")
    if has_role(user, {Role.MINISTRY_OFFICER}):
        qs = qs.filter(body_id=_own_body_id(user))
    elif not has_role(user, OFFICE):
        raise Http404
    n = qs.filter(pk=pk).first()
    if n is None:
        raise Http404
    return n


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
    if q.strip():
        qs = qs.filter(_company_match(q.strip(), "company__"))
    return qs.order_by("company__name_ko", "id")


def candidacies_visible(*, user: User) -> QuerySet[Candidacy]:
    """Every candidacy (of any round) the user may open: the office and auditors all, a ministry officer those
    its body nominated, an evaluator those assigned to them; nobody else any."""
    qs = Candidacy.objects.all()
    if has_role(user, OFFICE_AND_AUDIT):
        return qs
    if has_role(user, {Role.MINISTRY_OFFICER}):
        return qs.filter(_nominated_by_own_body(user))
    if has_role(user, {Role.EVALUATOR}):
        return qs.filter(
            Exists(Assignment.objects.filter(candidacy=OuterRef("pk"), evaluator__user=user, active=True))
        )
    return qs.none()


def access_candidacy(*, user: User, pk: int) -> Candidacy:
    qs = candidacies_visible(user=user).select_related("round__settings", "company__ksic", "lead_body")
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


# --- decision quality (stored with the selection run by `services.quality`) ---------------------------------

#: Krippendorff's conventional thresholds: below the first, the data do not support conclusions; between the
#: two, only tentative ones.
ALPHA_TENTATIVE, ALPHA_RELIABLE = 0.667, 0.8
UNCERTAIN_LO, UNCERTAIN_HI = 0.1, 0.9


@dataclass(frozen=True)
class AlphaFigure:
    """Krippendorff's alpha for the round or one body, with what it means in words."""

    label: str  # "round" or the body's code
    alpha: float | None
    units: int  # candidacies with two or more reviews
    band: str  # "reliable" | "tentative" | "low" | "not_computed"
    meaning: str  # translated explanation


@dataclass(frozen=True)
class SensitivityFigure:
    criterion: str  # the criterion's name
    delta: float  # percentage points
    weight: float | None  # its new weight (the default set's, or the first set's)
    enter: list[Candidacy]
    leave: list[Candidacy]
    infeasible: list[str]


@dataclass(frozen=True)
class FlagFigure:
    candidacy: Candidacy
    reason: str  # the reason's label
    explanation: str  # in words, with the figures and the outlying evaluator


@dataclass(frozen=True)
class EffectFigure:
    evaluator: str
    evaluator_id: int
    n_reviews: int
    effect: float | None  # None: too few reviews
    se: float | None
    low: float | None  # 95% interval
    high: float | None
    applied: bool


@dataclass(frozen=True)
class SelectionQualityFigures:
    """Everything the results page and the round report show about how sure the selection is."""

    run: SelectionRun
    leniency: str  # the setting's label
    alpha: AlphaFigure
    alpha_by_body: list[AlphaFigure]
    draws: int
    agenda: list[Candidacy]  # probability of selection between 10% and 90%, most likely first
    flags: list[FlagFigure]  # disagreement flags with reason and outlying evaluator
    sensitivity: list[SensitivityFigure]
    leniency_enter: list[Candidacy]  # what the other calibration would add …
    leniency_leave: list[Candidacy]  # … and drop
    effects_available: bool
    effects_note: str
    # the demo's summary figures
    disagreement_flags: int
    uncertain_at_cutoff: int
    leniency_changes: int


def alpha_meaning(alpha: float | None, units: int) -> tuple[str, str]:
    """(band, explanation in words) for an alpha value, by Krippendorff's conventional thresholds."""
    if alpha is None:
        return "not_computed", _(
            "Not computed: too few reviews (%(units)s candidacies with two or more reviews; at least %(min)s "
            "needed). Nothing is said about agreement rather than a guess."
        ) % {"units": units, "min": 10}
    if alpha >= ALPHA_RELIABLE:
        return "reliable", _(
            "Reliable: evaluators agree well enough to rank on the scores (at or above 0.8, Krippendorff's "
            "conventional threshold)."
        )
    if alpha >= ALPHA_TENTATIVE:
        return "tentative", _(
            "Tentative: agreement supports only tentative conclusions (between the conventional thresholds "
            "0.667 and 0.8); look closely at candidacies near the cut-off."
        )
    return "low", _(
        "Low: evaluators disagree too much for the scores alone to decide close cases (below the conventional "
        "minimum 0.667). The agenda lists the candidacies whose selection depends on who reviewed them."
    )


def _alpha_figure(label: str, alpha: float | None, units: int) -> AlphaFigure:
    band, meaning = alpha_meaning(alpha, units)
    return AlphaFigure(label, alpha, units, band, meaning)


def flag_reason(c: Candidacy) -> str:
    """A disagreement flag's reason in words."""
    if c.disagreement_reason == Candidacy.DisagreementReason.OUTLIER:
        who = str(c.disagreement_evaluator.user) if c.disagreement_evaluator else _("an evaluator")
        return _("%(who)s scored far from the rest of the panel (robust z %(z)s).") % {
            "who": who,
            "z": f"{c.disagreement_z:+.1f}" if c.disagreement_z is not None else "?",
        }
    if c.disagreement_reason == Candidacy.DisagreementReason.SPREAD:
        return _(
            "Evaluators' standard deviation %(sd)s points: among the widest 10%% of the round's panels."
        ) % {"sd": f"{c.disagreement_sd:.1f}" if c.disagreement_sd is not None else "?"}
    return ""


def selection_quality(*, round: Round) -> SelectionQualityFigures | None:
    """The latest feasible run's quality figures (None before one has them). Reads only."""
    q = (
        SelectionQuality.objects.filter(run__round=round, run__feasible=True)
        .select_related("run")
        .order_by("-run__run_at", "-run__id")
        .first()
    )
    if q is None:
        return None
    ids: set[int] = set(q.leniency_enter) | set(q.leniency_leave)
    for s in q.sensitivity:
        ids |= set(s["enter"]) | set(s["leave"])
    base = Candidacy.objects.filter(round=round).select_related(
        "company", "lead_body", "disagreement_evaluator__user"
    )
    named = {c.pk: c for c in base.filter(pk__in=ids)}
    names = {c.key: c.name_ko for c in Criterion.objects.filter(round=round).order_by("body_id", "order")}
    agenda = list(
        base.filter(
            selection_probability__gte=UNCERTAIN_LO, selection_probability__lte=UNCERTAIN_HI
        ).order_by("-selection_probability", "rank", "id")
    )
    flags = list(base.filter(disagreement=True).order_by("rank", "id"))

    def cands(xs: list[int]) -> list[Candidacy]:
        return [named[i] for i in xs if i in named]

    return SelectionQualityFigures(
        run=q.run,
        leniency=q.get_leniency_display(),
        alpha=_alpha_figure("round", q.alpha, q.alpha_units),
        alpha_by_body=[_alpha_figure(b["body"], b["alpha"], b["units"]) for b in q.alpha_by_body],
        draws=q.draws,
        agenda=agenda,
        flags=[FlagFigure(c, c.get_disagreement_reason_display(), flag_reason(c)) for c in flags],
        sensitivity=[
            SensitivityFigure(
                criterion=names.get(s["criterion"], s["criterion"]),
                delta=float(s["delta"]),
                weight=next(iter(s["weights"].values()), None),
                enter=cands(s["enter"]),
                leave=cands(s["leave"]),
                infeasible=list(s["infeasible"]),
            )
            for s in q.sensitivity
        ],
        leniency_enter=cands(q.leniency_enter),
        leniency_leave=cands(q.leniency_leave),
        effects_available=q.effects_available,
        effects_note=q.effects_note,
        disagreement_flags=q.flagged_count,
        uncertain_at_cutoff=q.uncertain_count,
        leniency_changes=len(q.leniency_enter) + len(q.leniency_leave),
    )


def evaluator_effects(*, round: Round) -> list[EffectFigure]:
    """Each evaluator's estimated effect in the latest feasible run, most lenient first (office only: the view
    checks the role; evaluators never see these)."""
    run = SelectionRun.objects.filter(round=round, feasible=True, quality__isnull=False).first()
    if run is None:
        return []
    rows = (
        EvaluatorEffect.objects.filter(quality__run=run)
        .select_related("evaluator__user")
        .order_by(F("effect").desc(nulls_last=True), "evaluator_id")
    )
    return [
        EffectFigure(
            evaluator=str(e.evaluator.user),
            evaluator_id=e.evaluator_id,
            n_reviews=e.n_reviews,
            effect=e.effect,
            se=e.se,
            low=e.effect - 1.96 * e.se if e.effect is not None and e.se is not None else None,
            high=e.effect + 1.96 * e.se if e.effect is not None and e.se is not None else None,
            applied=e.applied,
        )
        for e in rows
    ]
