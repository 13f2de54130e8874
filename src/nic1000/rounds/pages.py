"""What each round page shows, composed from the rounds' reads: one call per page, so views make no query of
their own. Scoped access (which round, candidacy or assignment a user may open) stays in `selectors`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.core.workflow import Label, Transition
from nic1000.registry.models import Body
from nic1000.rounds.models import (
    ROUND_SETTINGS_FIELDS,
    Assignment,
    AssignmentRun,
    BonusItem,
    Candidacy,
    CommitteeDecision,
    Conflict,
    Criterion,
    EligibilityRule,
    EvaluatorProfile,
    EvaluatorRelationship,
    Quota,
    Review,
    Round,
    RoundSettings,
    SelectionRun,
)
from nic1000.rounds.selectors import (
    active_evaluators,
    candidacy_file,
    criteria_for,
    latest_selection_run,
    panel_reviews,
    quotas_of,
)
from nic1000.rounds.workflows import (
    PAGE_TRANSITIONS,
    ROUND,
    RoundAction,
    allowed_actions,
    round_allows,
    scored_after_publication,
)

# --- the round ------------------------------------------------------------------------------------------------


@dataclass
class RoundOverview:
    """The round page: where the round stands, what comes next (and what blocks it), its configuration."""

    allowed: Mapping[str, bool]
    state_label: str
    stages: list[tuple[str, Label]]
    transitions: list[tuple[Transition, list[str]]]
    settings: RoundSettings | None
    criteria: list[Criterion]
    quotas: list[Quota]
    bonus_items: list[BonusItem]
    rules: list[EligibilityRule]
    counts: dict[str, int]
    decision: CommitteeDecision | None


def _round_counts(rnd: Round) -> dict[str, int]:
    candidacies = rnd.candidacies.aggregate(
        candidacies=Count("id"),
        eligible=Count("id", filter=Q(eligible=True)),
        selected=Count("id", filter=Q(selected=True)),
    )
    return {
        **candidacies,
        "assignments": rnd.assignments.filter(active=True).count(),
        "submitted": Review.objects.filter(
            assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
        ).count(),
    }


def _decision(rnd: Round) -> CommitteeDecision | None:
    return CommitteeDecision.objects.filter(round=rnd).select_related("decided_by").first()


def round_overview(*, round: Round, user: User) -> RoundOverview:
    transitions = [t for t in ROUND.available(round.state, [user.role]) if t.name in PAGE_TRANSITIONS]
    return RoundOverview(
        allowed=allowed_actions(round),
        state_label=round.get_state_display(),
        stages=list(ROUND.states.items()),
        transitions=[(t, ROUND.blockers(t, round)) for t in transitions],
        settings=RoundSettings.objects.filter(round=round).first(),
        criteria=list(Criterion.objects.filter(round=round).select_related("body")),
        quotas=list(Quota.objects.filter(round=round)),
        bonus_items=list(BonusItem.objects.filter(round=round)),
        rules=list(EligibilityRule.objects.filter(round=round, active=True)),
        counts=_round_counts(round),
        decision=_decision(round),
    )


# --- configuration ------------------------------------------------------------------------------------------


@dataclass
class SettingsPage:
    """The settings page's three forms: their current values, the bodies with their own rules, bonus items."""

    initial: dict[str, Any]
    bodies: list[Body]
    body_rules: dict[str, str]  # "<body code>__<kind>" → "on" / "off" (absent: as the round)
    bonus_items: list[BonusItem]


def settings_page(*, round: Round) -> SettingsPage:
    settings = RoundSettings.objects.get(round=round)
    round_rules = set(
        EligibilityRule.objects.filter(round=round, body__isnull=True, active=True).values_list(
            "kind", flat=True
        )
    )
    deadline = round.scoring_deadline
    initial = {
        **{f: getattr(settings, f) for f in ROUND_SETTINGS_FIELDS},
        "scoring_deadline": timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M") if deadline else None,
        "rule_credit_delinquency": EligibilityRule.Kind.CREDIT_DELINQUENCY in round_rules,
        "rule_capital_impairment": EligibilityRule.Kind.CAPITAL_IMPAIRMENT in round_rules,
    }
    body_rules = {
        f"{code}__{kind}": "on" if active else "off"
        for code, kind, active in EligibilityRule.objects.filter(round=round, body__isnull=False).values_list(
            "body__code", "kind", "active"
        )
    }
    return SettingsPage(
        initial=initial,
        bodies=list(round.program.bodies.order_by("sort_order", "code")),
        body_rules=body_rules,
        bonus_items=list(BonusItem.objects.filter(round=round).select_related("body")),
    )


@dataclass
class CriteriaPage:
    body: Body | None  # None: the round's default set
    current: list[Criterion]
    bodies: list[Body]

    @property
    def total(self) -> int:
        return sum(c.weight for c in self.current)


def criteria_page(*, round: Round, body_code: str) -> CriteriaPage:
    body = Body.objects.filter(code=body_code).first() if body_code else None
    return CriteriaPage(
        body=body,
        current=list(Criterion.objects.filter(round=round, body=body)),
        bodies=list(round.program.bodies.all()) or list(Body.objects.all()),
    )


# --- candidacies and evaluators -----------------------------------------------------------------------------


@dataclass
class CandidacyEvaluation:
    """Who evaluates a candidacy and who may not (the programme office and auditors see it)."""

    assignments: list[Assignment]
    conflicts: list[Conflict]


def candidacy_evaluation(*, candidacy: Candidacy) -> CandidacyEvaluation:
    return CandidacyEvaluation(
        assignments=list(
            candidacy.assignments.filter(active=True).select_related("evaluator__user", "review")
        ),
        conflicts=list(Conflict.objects.filter(candidacy=candidacy).select_related("evaluator__user")),
    )


@dataclass
class EvaluatorPage:
    profile: EvaluatorProfile | None
    relationships: list[EvaluatorRelationship]

    @property
    def initial(self) -> dict[str, Any]:
        fields = ("affiliation", "ksic_sections", "keywords", "expertise")
        return {f: getattr(self.profile, f) for f in fields} if self.profile else {}


def evaluator_page(*, user: User) -> EvaluatorPage:
    profile = EvaluatorProfile.objects.filter(user=user).first()
    relationships = list(profile.relationships.select_related("company")) if profile else []
    return EvaluatorPage(profile=profile, relationships=relationships)


# --- evaluation ---------------------------------------------------------------------------------------------


@dataclass
class AssignmentOverview:
    candidacies: Sequence[Candidacy]  # each with `active_assignments`
    k: int
    short: int  # candidacies lacking some of their k evaluators
    evaluators: list[EvaluatorProfile]
    settings: RoundSettings
    run: AssignmentRun | None  # the latest solve: mode, cap, seed, expected affinity against the optimum


def assignment_overview(*, round: Round) -> AssignmentOverview:
    """Eligible candidacies with their active assignments, for the assignment page."""
    candidacies = list(
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
    settings = RoundSettings.objects.get(round=round)
    k = settings.reviews_per_candidacy
    short = sum(1 for c in candidacies if len(c.active_assignments) < k)
    return AssignmentOverview(
        candidacies=candidacies,
        k=k,
        short=short,
        evaluators=active_evaluators(),
        settings=settings,
        run=AssignmentRun.objects.filter(round=round).first(),
    )


@dataclass
class ReviewPage:
    """The evaluator's scoring page once the file is open: the file, the criteria and bonus items that apply,
    the review so far and (once submitted) the panel's."""

    file: dict[str, Any]
    criteria: list[Criterion]
    bonus_items: list[BonusItem]
    review: Review | None
    panel: list[Review] | None
    scale: range
    scoring_open: bool

    @property
    def initial(self) -> dict[str, Any]:
        if self.review is None:
            return {}
        initial: dict[str, Any] = {"comment": self.review.comment}
        for s in self.review.scores.all():
            initial[f"score_{s.criterion_id}"], initial[f"comment_{s.criterion_id}"] = s.score, s.comment
        initial["bonus_items"] = [str(b.pk) for b in self.review.bonus_items.all()]
        return initial

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.state == Review.State.SUBMITTED


def scoring_open(round: Round) -> bool:
    """Scores are accepted: the round is in evaluation and its deadline has not passed."""
    passed = bool(round.scoring_deadline and timezone.now() > round.scoring_deadline)
    return round_allows(round, RoundAction.SCORE) and not passed


def review_page(*, assignment: Assignment) -> ReviewPage:
    c = assignment.candidacy
    rnd = c.round
    settings = rnd.settings
    return ReviewPage(
        file=candidacy_file(candidacy=c),
        criteria=criteria_for(candidacy=c),
        bonus_items=[b for b in BonusItem.objects.filter(round=rnd) if b.body_id in (None, c.lead_body_id)],
        review=Review.objects.filter(assignment=assignment).prefetch_related("scores", "bonus_items").first(),
        panel=panel_reviews(assignment=assignment),
        scale=range(settings.score_min, settings.score_max + 1),
        scoring_open=scoring_open(rnd) or scored_after_publication(assignment),
    )


# --- results and selection ----------------------------------------------------------------------------------


@dataclass
class ResultsPage:
    allowed: Mapping[str, bool]
    run: SelectionRun | None
    decision: CommitteeDecision | None
    quotas: list[Quota]
    publish_blockers: list[str]


def results_page(*, round: Round) -> ResultsPage:
    allowed = allowed_actions(round)
    publish = ROUND.transition("publish")
    return ResultsPage(
        allowed=allowed,
        run=latest_selection_run(round=round),
        decision=_decision(round),
        quotas=quotas_of(round=round),
        publish_blockers=ROUND.blockers(publish, round) if allowed[RoundAction.PUBLISH] else [],
    )


# --- who an irreversible step reaches (its confirmation says so, and so does the message after) ---------------


def missing_reviews_by_evaluator(*, round: Round) -> dict[int, int]:
    """Evaluators' user ids → their active assignments in the round without a submitted review."""
    rows = (
        Assignment.objects.filter(round=round, active=True)
        .exclude(review__state=Review.State.SUBMITTED)
        .values("evaluator__user_id")
        .annotate(n=Count("id"))
    )
    return {r["evaluator__user_id"]: r["n"] for r in rows}


@dataclass(frozen=True)
class RoundReach:
    """Counts for a round's confirmations and the messages after its steps."""

    bodies: int  # bodies taking part in the round
    officers: int  # their active ministry officers
    candidacies: int
    eligible: int
    selected: int
    not_selected: int
    nominating_bodies: int
    selected_reps: int  # active representatives of the selected companies
    selected_without_account: int  # selected companies with no active representative
    not_selected_reps: int
    missing_reviews: int
    evaluators_missing: int


def round_reach(*, round: Round) -> RoundReach:
    """A bounded number of queries whatever the round's size."""
    program_bodies = list(round.program.bodies.values_list("pk", flat=True))
    bodies = program_bodies or list(Body.objects.values_list("pk", flat=True))
    counts = round.candidacies.aggregate(
        candidacies=Count("id"),
        eligible=Count("id", filter=Q(eligible=True)),
        selected=Count("id", filter=Q(selected=True)),
    )
    selected_ids = set(round.candidacies.filter(selected=True).values_list("company_id", flat=True))
    other_ids = set(round.candidacies.exclude(selected=True).values_list("company_id", flat=True))
    reps = User.objects.filter(role=Role.COMPANY, is_active=True)
    with_account = set(
        reps.filter(company_id__in=selected_ids).values_list("company_id", flat=True).distinct()
    )
    missing = missing_reviews_by_evaluator(round=round)
    return RoundReach(
        bodies=len(bodies),
        officers=User.objects.filter(role=Role.MINISTRY_OFFICER, body_id__in=bodies, is_active=True).count(),
        candidacies=counts["candidacies"],
        eligible=counts["eligible"],
        selected=counts["selected"],
        not_selected=counts["candidacies"] - counts["selected"],
        nominating_bodies=round.candidacies.filter(nominations__isnull=False)
        .values("nominations__body_id")
        .distinct()
        .count(),
        selected_reps=reps.filter(company_id__in=selected_ids).count(),
        selected_without_account=len(selected_ids - with_account),
        not_selected_reps=reps.filter(company_id__in=other_ids).count(),
        missing_reviews=sum(missing.values()),
        evaluators_missing=len(missing),
    )


def nomination_window_open(rnd: Round) -> bool:
    """Whether nominations may be made, edited or withdrawn now (the services check the same)."""
    if not round_allows(rnd, RoundAction.NOMINATE):
        return False
    return not (rnd.nominations_close_at and timezone.now() > rnd.nominations_close_at)
