"""Aggregation of the reviews, the quota-constrained selection (pure MILP), committee overrides and decision."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.audit.services import audit_record
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.rounds.models import (
    Candidacy,
    CommitteeDecision,
    Criterion,
    Quota,
    Review,
    ReviewScore,
    Round,
    RoundSettings,
    SelectionRun,
)
from nic1000.rounds.services import solvers

SELECTION_STATES = ("evaluating", "selecting")
TIE_BREAK = (
    "score (higher first), then the technology-differentiation score (higher first), then the earlier "
    "nomination, then the candidacy id"
)


def _rubrics(rnd: Round, settings: RoundSettings) -> dict[str, list[solvers.CriterionData]]:
    out: dict[str, list[solvers.CriterionData]] = defaultdict(list)
    for c in Criterion.objects.filter(round=rnd).order_by("order", "id"):
        out[str(c.body_id or "default")].append(
            solvers.CriterionData(c.key, c.weight, settings.score_min, settings.score_max)
        )
    return out


@transaction.atomic
def scores_aggregate(*, round: Round, acting_user: Any) -> dict[str, Any]:
    """Per candidacy: weighted criteria plus bonus, averaged (or median) across the submitted reviews, with the
    evaluators' spread and a disagreement flag. Returns summary figures (count, flagged, alpha)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state not in SELECTION_STATES:
        raise ConflictError(_("Scores are aggregated during evaluation or selection."), code="round_state")
    settings = RoundSettings.objects.get(round=rnd)
    rubrics = _rubrics(rnd, settings)
    candidacies = list(Candidacy.objects.filter(round=rnd).order_by("id"))
    rubric_of = {
        c.pk: (str(c.lead_body_id) if str(c.lead_body_id) in rubrics else "default") for c in candidacies
    }
    reviews = list(
        Review.objects.filter(assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED)
        .select_related("assignment")
        .prefetch_related("scores__criterion", "bonus_items")
    )
    data = [
        solvers.ReviewData(
            candidacy_id=r.assignment.candidacy_id,
            evaluator_id=r.assignment.evaluator_id,
            scores={s.criterion.key: s.score for s in r.scores.all()},
            bonus=float(sum(b.points for b in r.bonus_items.all())),
            rubric=rubric_of[r.assignment.candidacy_id],
        )
        for r in reviews
    ]
    agg = solvers.aggregate(
        reviews=data,
        rubrics=rubrics,
        method=settings.aggregation,
        disagreement_threshold=settings.disagreement_threshold,
    )
    counts: dict[int, int] = defaultdict(int)
    for d in data:
        counts[d.candidacy_id] += 1
    flagged = 0
    for c in candidacies:
        a = agg.by_candidacy.get(c.pk)
        c.score = a.score if a else None
        c.spread = a.spread if a else None
        c.disagreement = bool(a and a.disagreement)
        c.reviews_count = counts.get(c.pk, 0)
        flagged += int(c.disagreement)
    Candidacy.objects.bulk_update(
        candidacies, ["score", "spread", "disagreement", "reviews_count"], batch_size=1000
    )
    summary = {
        "candidacies": len(candidacies),
        "scored": sum(1 for c in candidacies if c.score is not None),
        "flagged": flagged,
        "alpha": agg.alpha,
    }
    audit_record(
        actor=acting_user,
        action="round.scores_aggregate",
        obj=rnd,
        changes={k: {"before": None, "after": v} for k, v in summary.items()},
    )
    return summary


def _quotas(rnd: Round) -> tuple[tuple[int | None, int | None], list[solvers.QuotaSpec]]:
    total: tuple[int | None, int | None] = (None, None)
    specs: list[solvers.QuotaSpec] = []
    for q in Quota.objects.filter(round=rnd).order_by("family", "key"):
        if q.family == Quota.Family.TOTAL:
            total = (q.min_count, q.max_count)
        else:
            specs.append(
                solvers.QuotaSpec(family=q.family, name=q.key, min_count=q.min_count, max_count=q.max_count)
            )
    return total, specs


def _technology_scores(rnd: Round) -> dict[int, float]:
    rows = (
        ReviewScore.objects.filter(
            review__assignment__round=rnd,
            review__assignment__active=True,
            review__state=Review.State.SUBMITTED,
            criterion__key="tech_differentiation",
        )
        .values("review__assignment__candidacy_id")
        .annotate(avg=Avg("score"))
    )
    return {r["review__assignment__candidacy_id"]: float(r["avg"]) for r in rows}


@transaction.atomic
def selection_run(*, round: Round, acting_user: Any) -> SelectionRun:
    """Run the optimiser: maximise total score under the quotas and eligibility, committee forces respected,
    deterministic tie-break. An infeasible run is recorded with its diagnosis (quotas named) and returned;
    the candidacies keep their previous result."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state not in SELECTION_STATES:
        raise ConflictError(_("Selection runs during evaluation or selection."), code="round_state")
    if CommitteeDecision.objects.filter(round=rnd).exists():
        raise ConflictError(
            _("The committee has decided; withdraw its decision before re-optimising."),
            code="committee_decided",
        )
    candidacies = list(Candidacy.objects.filter(round=rnd).select_related("lead_body").order_by("id"))
    tech = _technology_scores(rnd)
    total, quotas = _quotas(rnd)
    outcome = solvers.select(
        candidates=[
            solvers.CandidateData(
                id=c.pk,
                score=c.score if c.score is not None else 0.0,
                eligible=c.eligible and c.score is not None,
                body=c.lead_body.code,
                sector=c.sector,
                technology_score=tech.get(c.pk),
                nominated_at=c.created_at,
                forced=c.forced,
            )
            for c in candidacies
        ],
        total=total,
        quotas=quotas,
    )
    now = timezone.now()
    run = SelectionRun.objects.create(
        round=rnd,
        run_at=now,
        run_by=acting_user if getattr(acting_user, "pk", None) else None,
        feasible=outcome.feasible,
        selected_count=len(outcome.selected),
        objective=outcome.objective,
        diagnosis=outcome.diagnosis,
        tie_break=TIE_BREAK,
    )
    audit_record(
        actor=acting_user,
        action="selection.run",
        obj=run,
        changes={
            "feasible": {"before": None, "after": outcome.feasible},
            "selected_count": {"before": None, "after": len(outcome.selected)},
            "objective": {"before": None, "after": outcome.objective},
            "proven_optimal": {"before": None, "after": outcome.proven_optimal},
            "diagnosis": {"before": None, "after": outcome.diagnosis},
        },
    )
    if not outcome.feasible:
        return run
    chosen = set(outcome.selected)
    for c in candidacies:
        c.selected = c.pk in chosen
        c.rank = outcome.ranks.get(c.pk)
        c.deciding_quota = outcome.deciding.get(c.pk, "")[:200]
    Candidacy.objects.bulk_update(candidacies, ["selected", "rank", "deciding_quota"], batch_size=1000)
    return run


def selection_run_or_raise(*, round: Round, acting_user: Any) -> SelectionRun:
    """Like selection_run but raise ValidationFailed naming the quotas when infeasible (for the API)."""
    run = selection_run(round=round, acting_user=acting_user)
    if not run.feasible:
        raise infeasible_error(run)
    return run


def infeasible_error(run: SelectionRun) -> ValidationFailed:
    return ValidationFailed(
        _("The quotas cannot all hold: %(names)s")
        % {"names": ", ".join(d.get("quota", "?") for d in run.diagnosis) or "?"},
        [ErrorDetail(message=d.get("message", ""), field=d.get("quota")) for d in run.diagnosis],
        code="quotas_infeasible",
    )


@transaction.atomic
def candidacy_force(*, candidacy: Candidacy, forced: str, reason: str, acting_user: Any) -> Candidacy:
    """The committee forces a candidacy in or out (or clears it: forced=""), with a recorded reason.
    Re-run the selection afterwards to re-optimise the rest."""
    c = Candidacy.objects.select_for_update().select_related("round").get(pk=candidacy.pk)
    if c.round.state not in SELECTION_STATES:
        raise ConflictError(_("Forcing happens during selection."), code="round_state")
    if CommitteeDecision.objects.filter(round_id=c.round_id).exists():
        raise ConflictError(_("The committee has already decided."), code="committee_decided")
    if forced not in Candidacy.Forced.values:
        raise ValidationFailed(
            _("Force in, out or clear."), [ErrorDetail(message="", field="forced", value=forced)]
        )
    if forced and not reason.strip():
        raise ValidationFailed(
            _("A committee override needs a reason."),
            [ErrorDetail(message=_("Required"), field="reason")],
            code="reason_required",
        )
    if forced == Candidacy.Forced.IN and not c.eligible:
        raise ValidationFailed(
            _("An ineligible candidacy cannot be forced in; override its eligibility first."),
            [ErrorDetail(message="", field="forced")],
            code="ineligible",
        )
    before = {"forced": c.forced, "force_reason": c.force_reason}
    c.forced, c.force_reason = forced, reason.strip()
    c.save(update_fields=["forced", "force_reason"])
    audit_record(
        actor=acting_user,
        action="candidacy.force",
        obj=c,
        changes={k: {"before": before[k], "after": getattr(c, k)} for k in before},
        reason=reason,
    )
    candidacy.forced, candidacy.force_reason = c.forced, c.force_reason
    return c


@transaction.atomic
def committee_decision_record(*, round: Round, note: str, acting_user: Any) -> CommitteeDecision:
    """Record the committee's decision on the latest feasible selection (publication requires it)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state != "selecting":
        raise ConflictError(_("The committee decides during selection."), code="round_state")
    if not note.strip():
        raise ValidationFailed(
            _("Record the committee's minutes or note."), [ErrorDetail(message=_("Required"), field="note")]
        )
    run = SelectionRun.objects.filter(round=rnd).order_by("-run_at", "-id").first()
    if run is None or not run.feasible:
        raise ConflictError(_("The latest selection run is not feasible."), code="no_feasible_selection")
    if CommitteeDecision.objects.filter(round=rnd).exists():
        raise ConflictError(_("The committee's decision is already recorded."), code="committee_decided")
    decision = CommitteeDecision.objects.create(
        round=rnd, selection_run=run, decided_by=acting_user, decided_at=timezone.now(), note=note.strip()
    )
    audit_record(
        actor=acting_user,
        action="committee.decide",
        obj=decision,
        changes={
            "selection_run_id": {"before": None, "after": run.pk},
            "note": {"before": None, "after": decision.note},
        },
    )
    return decision


@transaction.atomic
def committee_decision_withdraw(*, round: Round, reason: str, acting_user: Any) -> None:
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state != "selecting":
        raise ConflictError(_("Only before publication."), code="round_state")
    if not reason.strip():
        raise ValidationFailed(
            _("A reason is required."), [ErrorDetail(message=_("Required"), field="reason")]
        )
    decision = CommitteeDecision.objects.filter(round=rnd).first()
    if decision is None:
        raise ConflictError(_("No decision is recorded."), code="no_decision")
    audit_record(
        actor=acting_user,
        action="committee.withdraw",
        obj=rnd,
        changes={"committee_decision": {"before": decision.note, "after": None}},
        reason=reason,
    )
    decision.delete()
