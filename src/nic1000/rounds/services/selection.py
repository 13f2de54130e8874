"""Aggregation of the reviews (`algorithms.aggregation`), the quota-constrained selection (`algorithms.selection`,
a MILP), committee overrides and the committee's decision."""

from __future__ import annotations

from typing import Any, Literal, cast

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.algorithms import selection as selection_model
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE
from nic1000.core.text import text_check
from nic1000.rounds.models import (
    Candidacy,
    CommitteeDecision,
    Quota,
    Review,
    ReviewScore,
    Round,
    RoundSettings,
    SelectionRun,
)
from nic1000.rounds.selection_texts import explanation_store
from nic1000.rounds.services import quality as quality_services
from nic1000.rounds.services.assignment import body_run_ids
from nic1000.rounds.services.committees import committee_blockers
from nic1000.rounds.workflows import RoundAction, require_round_allows

# Stored in English with each run; pages show it translated.
TIE_BREAK = gettext_noop(
    "score (higher first), then the technology-differentiation score (higher first), then the earlier "
    "nomination, then the candidacy id"
)


# --- aggregation ---------------------------------------------------------------------------------------------


@transaction.atomic
def scores_aggregate(*, round: Round, acting_user: User) -> dict[str, Any]:
    """Per candidacy: weighted criteria plus bonus, averaged (or median) across the submitted reviews — after
    taking off each evaluator's estimated leniency when the round's setting says so — with the evaluators'
    spread and a disagreement flag judged against the round's own spread (reason and outlying evaluator
    stored). Returns summary figures (count, scored, flagged, alpha, leniency)."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.AGGREGATE)
    settings = RoundSettings.objects.get(round=rnd)
    candidacies = list(Candidacy.objects.filter(round=rnd).order_by("id"))
    scores, _reviews, _rubrics = quality_services.round_scores(rnd, settings, candidacies)
    fields = quality_services.apply_scores(candidacies, scores)
    Candidacy.objects.bulk_update(candidacies, fields, batch_size=1000)
    alpha = scores.alpha
    summary = {
        "candidacies": len(candidacies),
        "scored": sum(1 for c in candidacies if c.score is not None),
        "flagged": sum(1 for c in candidacies if c.disagreement),
        "alpha": alpha,
        "leniency": RoundSettings.Leniency.ADJUSTED if scores.scored.adjusted else RoundSettings.Leniency.RAW,
    }
    audit_record(
        actor=acting_user,
        action="round.scores_aggregate",
        obj=rnd,
        changes={k: {"before": None, "after": v} for k, v in summary.items()},
    )
    return summary


# --- selection -----------------------------------------------------------------------------------------------


def _quotas(rnd: Round) -> tuple[tuple[int | None, int | None], list[selection_model.GroupQuota]]:
    """The quotas as the optimiser takes them: a body's places to refill (its vacancies, `Quota.refill`) are
    extra room on the body's maximum and on the total maximum."""
    total: tuple[int | None, int | None] = (None, None)
    groups: list[selection_model.GroupQuota] = []
    rows = list(Quota.objects.filter(round=rnd).order_by("family", "key"))
    refills = sum(q.refill for q in rows)
    for q in rows:
        if q.family == Quota.Family.TOTAL:
            total = (q.min_count, None if q.max_count is None else q.max_count + refills)
        else:
            hi = None if q.max_count is None else q.max_count + q.refill
            groups.append(selection_model.GroupQuota(q.family, q.key, q.min_count or 0, hi))
    return total, groups


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


def _selection_candidates(
    rnd: Round, candidacies: list[Candidacy]
) -> list[selection_model.SelectionCandidate]:
    """A candidacy competes when it is eligible and scored (and, for a body whose own committee evaluates, on
    that committee's list); the committee's forces bind the optimiser."""
    tech = _technology_scores(rnd)
    body_run = body_run_ids(rnd)
    return [
        selection_model.SelectionCandidate(
            id=c.pk,
            score=c.score if c.score is not None else 0.0,
            eligible=c.eligible
            and c.score is not None
            and (c.lead_body_id not in body_run or c.committee_recommended is True),
            groups={"body": c.lead_body.code, "sector": c.sector or None},
            technology_score=tech.get(c.pk),
            nominated_at=c.created_at,
            forced=cast(Literal["in", "out"] | None, c.forced or None),
        )
        for c in candidacies
    ]


def _record_run(
    rnd: Round,
    acting_user: User,
    *,
    result: selection_model.SelectionResult | None,
    diagnosis: list[dict[str, Any]],
) -> SelectionRun:
    run = SelectionRun.objects.create(
        round=rnd,
        run_at=timezone.now(),
        run_by=acting_user,
        feasible=result is not None,
        selected_count=len(result.selected) if result else 0,
        objective=float(result.objective) if result else None,
        diagnosis=diagnosis,
        tie_break=TIE_BREAK,
    )
    audit_record(
        actor=acting_user,
        action="selection.run",
        obj=run,
        changes={
            "feasible": {"before": None, "after": run.feasible},
            "selected_count": {"before": None, "after": run.selected_count},
            "objective": {"before": None, "after": run.objective},
            "proven_optimal": {"before": None, "after": bool(result and result.proven_optimal)},
            "diagnosis": {"before": None, "after": diagnosis},
        },
    )
    return run


@transaction.atomic
def selection_run(*, round: Round, acting_user: User) -> SelectionRun:
    """Run the optimiser: maximise total score under the quotas and eligibility, committee forces respected,
    deterministic tie-break. An infeasible run is recorded with its diagnosis (quotas named) and returned;
    the candidacies keep their previous result. A feasible run also stores its quality figures
    (`services.quality.quality_record`: alpha per body, evaluator effects, 200 bootstrap re-solves, the weight
    scenarios; about a second for the demo's round)."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.SELECT)
    if CommitteeDecision.objects.filter(round=rnd).exists():
        raise ConflictError(
            _("The committee has decided; withdraw its decision before re-optimising."),
            code="committee_decided",
        )
    waiting = committee_blockers(rnd)
    if waiting:
        raise ConflictError(
            _("Waiting for the committees of %(bodies)s to decide their lists.")
            % {"bodies": ", ".join(waiting)},
            code="committees_pending",
        )
    candidacies = list(Candidacy.objects.filter(round=rnd).select_related("lead_body").order_by("id"))
    total, quotas = _quotas(rnd)
    candidates = _selection_candidates(rnd, candidacies)
    try:
        result = selection_model.select(candidates, total, quotas)
    except selection_model.SelectionInfeasible as exc:
        diagnosis = [
            {
                "quota": ", ".join(d.constraints) or d.code,
                "message": d.message,  # the optimiser's English, for logs; pages read the code
                "code": d.code,
                "constraints": list(d.constraints),
                "details": {k: v for k, v in d.details.items() if isinstance(v, int | float | str)},
            }
            for d in exc.diagnoses
        ]
        return _record_run(rnd, acting_user, result=None, diagnosis=diagnosis)
    run = _record_run(rnd, acting_user, result=result, diagnosis=[])
    chosen = set(result.selected)
    ranks = {r.id: r.merit_rank for r in result.ranking}
    deciding = {e.id: explanation_store(e.code, e.constraints) for e in result.explanations}
    for c in candidacies:
        c.selected = c.pk in chosen
        c.rank = ranks.get(c.pk)
        c.deciding_quota = deciding.get(c.pk, "")
    quality = quality_services.quality_record(
        run=run,
        settings=RoundSettings.objects.get(round=rnd),
        candidacies=candidacies,
        candidates=candidates,
        total=total,
        quotas=quotas,
        selected=result.selected,
    )
    Candidacy.objects.bulk_update(
        candidacies, ["selected", "rank", "deciding_quota", "selection_probability"], batch_size=1000
    )
    audit_record(
        actor=acting_user,
        action="selection.quality",
        obj=run,
        changes={
            "alpha": {"before": None, "after": quality.alpha},
            "leniency": {"before": None, "after": quality.leniency},
            "uncertain_count": {"before": None, "after": quality.uncertain_count},
            "flagged_count": {"before": None, "after": quality.flagged_count},
            "leniency_changes": {
                "before": None,
                "after": len(quality.leniency_enter) + len(quality.leniency_leave),
            },
        },
    )
    return run


def selection_run_or_raise(*, round: Round, acting_user: User) -> SelectionRun:
    """Like selection_run but raise ValidationFailed naming the quotas when infeasible (pages, API)."""
    run = selection_run(round=round, acting_user=acting_user)
    if not run.feasible:
        raise infeasible_error(run)
    return run


def infeasible_error(run: SelectionRun) -> ValidationFailed:
    texts = run.diagnosis_texts
    return ValidationFailed(
        _("The quotas cannot all hold: %(names)s") % {"names": "; ".join(t["quota"] for t in texts) or "?"},
        [
            ErrorDetail(message=t["message"], field=d.get("quota"), code=d.get("code"))
            for d, t in zip(run.diagnosis, texts, strict=True)
        ],
        code="quotas_infeasible",
    )


@transaction.atomic
def candidacy_force(*, candidacy: Candidacy, forced: str, reason: str, acting_user: User) -> Candidacy:
    """The committee forces a candidacy in or out (or clears it: forced=""), with a recorded reason.
    Re-run the selection afterwards to re-optimise the rest."""
    text_check(reason=reason)
    require_role(acting_user, OFFICE)
    c = Candidacy.objects.select_for_update().select_related("round").get(pk=candidacy.pk)
    require_round_allows(c.round, RoundAction.FORCE)
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
def committee_decision_record(*, round: Round, note: str, acting_user: User) -> CommitteeDecision:
    """Record the committee's decision on the latest feasible selection (publication requires it)."""
    text_check(note=note)
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.DECIDE)
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
def committee_decision_withdraw(*, round: Round, reason: str, acting_user: User) -> None:
    """Withdraw the committee's decision before publication (the committee reopens the selection)."""
    text_check(reason=reason)
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.WITHDRAW_DECISION)
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
