"""Assignment of evaluators to candidacies: the optimal solve (`algorithms.assignment` on the affinity of
`algorithms.affinity`) or, when the round asks for it, the randomised one under a probability cap
(`algorithms.assignment.randomized`, recorded with its seed in `AssignmentRun`), re-solves that keep submitted
reviews and hand-made pairs, filling the gap a declared conflict leaves, and the programme office's manual
changes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.algorithms import affinity as affinity_model
from nic1000.algorithms import assignment as assignment_model
from nic1000.algorithms.assignment import randomized
from nic1000.audit.services import AuditItem, audit_record, audit_record_many
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.registry.models import CoreTechnology, Patent
from nic1000.rounds.models import (
    Assignment,
    AssignmentRun,
    Candidacy,
    Conflict,
    EvaluatorProfile,
    Review,
    Round,
    RoundBody,
    RoundSettings,
)
from nic1000.rounds.selection_texts import assignment_diagnosis_text
from nic1000.rounds.services import notices
from nic1000.rounds.services.conflicts import conflicted_pair, conflicts_record_detected
from nic1000.rounds.workflows import RoundAction, require_round_allows


@dataclass
class AssignmentOutcome:
    added: int = 0
    removed: int = 0
    kept: int = 0
    total_affinity: float = 0.0
    run: AssignmentRun | None = None
    # Per evaluator (profile id): pairs added and pairs ended by this solve, for their notices.
    added_by: Counter[int] = field(default_factory=Counter)
    removed_by: Counter[int] = field(default_factory=Counter)


def _split_keywords(value: str) -> list[str]:
    return [k.strip() for k in value.replace(";", ",").split(",") if k.strip()]


def _candidacy_profiles(candidacies: Sequence[Candidacy]) -> list[affinity_model.CandidacyProfile]:
    """What the affinity needs about each company: KSIC code, technology keywords, patents' IPC classes and
    a text of technologies, patent titles and abstracts."""
    ids = [c.company_id for c in candidacies]
    text: dict[int, list[str]] = {i: [] for i in ids}
    keywords: dict[int, list[str]] = {i: [] for i in ids}
    ipc: dict[int, list[str]] = {i: [] for i in ids}
    for cid, name, kw, desc in CoreTechnology.objects.filter(company_id__in=ids).values_list(
        "company_id", "name", "keywords", "description"
    ):
        text[cid].append(f"{name} {desc}")
        keywords[cid] += _split_keywords(kw) or [name]
    for cid, title, abstract, ipcs in Patent.objects.filter(company_id__in=ids).values_list(
        "company_id", "title", "abstract", "ipc_classes"
    ):
        text[cid].append(f"{title} {abstract[:300]}")
        ipc[cid] += _split_keywords(ipcs)
    return [
        affinity_model.CandidacyProfile(
            ksic_code=c.company.ksic_id or "",
            keywords=tuple(keywords[c.company_id]),
            ipc_classes=tuple(ipc[c.company_id]),
            text=" ".join(text[c.company_id]),
        )
        for c in candidacies
    ]


def _evaluator_expertise(evaluators: Sequence[EvaluatorProfile]) -> list[affinity_model.EvaluatorExpertise]:
    return [
        affinity_model.EvaluatorExpertise(
            ksic_sections=tuple(e.sections),
            keywords=tuple(_split_keywords(e.keywords)),
            text=f"{e.keywords} {e.expertise}",
        )
        for e in evaluators
    ]


def _affinity(evaluators: Sequence[EvaluatorProfile], candidacies: Sequence[Candidacy]) -> np.ndarray:
    """Candidacy × evaluator affinity in [0, 1]: KSIC overlap, keyword overlap, IPC overlap and TF-IDF similarity
    of the evaluator's expertise and the company's technologies and patents."""
    matrix = affinity_model.compute_affinity(
        _candidacy_profiles(candidacies), _evaluator_expertise(evaluators)
    )
    return np.asarray(matrix, dtype=float)


@dataclass
class _Pool:
    """Who is assigned to what: the round's eligible candidacies and the active evaluators, by matrix index."""

    settings: RoundSettings
    candidacies: list[Candidacy]
    evaluators: list[EvaluatorProfile]

    def __post_init__(self) -> None:
        self.row = {c.pk: i for i, c in enumerate(self.candidacies)}
        self.col = {e.pk: j for j, e in enumerate(self.evaluators)}

    def index(self, candidacy_id: int, evaluator_id: int) -> tuple[int, int] | None:
        if candidacy_id in self.row and evaluator_id in self.col:
            return self.row[candidacy_id], self.col[evaluator_id]
        return None


def body_run_ids(rnd: Round) -> set[int]:
    """The bodies whose own committee evaluates their candidacies in this round."""
    return set(
        RoundBody.objects.filter(round=rnd, evaluation=RoundBody.Evaluation.BODY).values_list(
            "body_id", flat=True
        )
    )


def _scope(rnd: Round, body_id: int | None) -> Q:
    """The candidacies one panel evaluates: a body-run body's own, or (None) all the others, the central panel's."""
    if body_id is not None:
        return Q(round=rnd, lead_body_id=body_id)
    return Q(round=rnd) & ~Q(lead_body_id__in=body_run_ids(rnd))


def _pool(rnd: Round, body_id: int | None = None) -> _Pool:
    """The eligible candidacies and the active evaluators of one panel: the central panel's evaluators are
    those of no body; a body's committee is its own members."""
    candidacies = list(
        Candidacy.objects.filter(_scope(rnd, body_id), eligible=True).select_related("company").order_by("id")
    )
    evaluators = list(
        EvaluatorProfile.objects.filter(
            Q(body__isnull=True) if body_id is None else Q(body_id=body_id), active=True
        )
        .select_related("user")
        .order_by("id")
    )
    if not candidacies:
        raise ValidationFailed(_("There is no eligible candidacy to assign."), code="nothing_to_assign")
    if not evaluators:
        raise ValidationFailed(_("The evaluator pool is empty."), code="no_evaluators")
    return _Pool(RoundSettings.objects.get(round=rnd), candidacies, evaluators)


def _forbidden(rnd: Round, pool: _Pool) -> np.ndarray:
    """Conflicted pairs (declared or detected, all recorded by now) are never assigned."""
    forbidden = np.zeros((len(pool.candidacies), len(pool.evaluators)), dtype=bool)
    for eid, cid in Conflict.objects.filter(candidacy__round=rnd).values_list("evaluator_id", "candidacy_id"):
        at = pool.index(cid, eid)
        if at is not None:
            forbidden[at] = True
    return forbidden


def _locked(rnd: Round, current: list[Assignment], *, only_fill: bool) -> list[Assignment]:
    """Pairs the solve keeps: those with a submitted review and those made by hand (every pair when filling)."""
    if only_fill:
        return list(current)
    submitted = set(
        Review.objects.filter(
            assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
        ).values_list("assignment_id", flat=True)
    )
    return [a for a in current if a.pk in submitted or a.source == Assignment.Source.MANUAL]


@dataclass
class _Solved:
    """The pairs chosen, and what the run records about how."""

    pairs: list[tuple[int, int]]
    optimum: float
    expected: float
    q: float | None = None
    seed: int | None = None


def _infeasible(labels: list[str], exc: assignment_model.AssignmentInfeasible) -> ValidationFailed:
    """The diagnoses in words: the cap's own in the reader's language, the solver's as it gives them."""
    details = []
    for d in exc.diagnoses:
        names = ", ".join(str(labels[i]) for i in d.candidacies[:10])
        more = f" (+{len(d.candidacies) - 10})" if len(d.candidacies) > 10 else ""
        message = assignment_diagnosis_text(d.code, d.details, d.message)
        if d.code == "cap_too_small":
            message = _(
                "q·evaluators = %(q)s·%(n)d < %(k)d reviews needed: with the cap, this candidacy needs at least"
                " %(need)d evaluators without a conflict."
            ) % {"q": d.details["q"], "n": d.details["evaluators"], "k": d.details["needed"],
                 "need": -(-d.details["needed"] // d.details["q"])}  # fmt: skip
        elif d.code == "cap_group_deficit":
            message = _(
                "These %(n)d candidacies need %(needed)d reviews together; with q = %(q)s their evaluators'"
                " maximum loads allow at most %(available).1f."
            ) % {"n": len(d.candidacies), "needed": d.details["needed"], "q": d.details["q"],
                 "available": d.details["available"]}  # fmt: skip
        elif d.code == "cap_min_loads":
            message = _(
                "With q = %(q)s the evaluators' minimum loads cannot be met: lower the minimum load or raise q."
            ) % {"q": d.details["q"]}
        details.append(ErrorDetail(message=message, field=(names + more) or None, code=d.code))
    if any(d.code.startswith("cap_") for d in exc.diagnoses):
        return ValidationFailed(
            _("The probability cap q is too small for the loads: no randomised assignment exists."),
            details,
            code="probability_cap_infeasible",
        )
    return ValidationFailed(
        _("No assignment can give every candidacy its evaluators."), details, code="assignment_infeasible"
    )


def _chosen_pairs(
    pool: _Pool,
    affinity: np.ndarray,
    forbidden: np.ndarray,
    locked: list[Assignment],
    *,
    only_fill: bool,
    seed: int | None,
) -> _Solved:
    """(candidacy index, evaluator index) pairs: the optimal assignment, or one drawn from the optimal plan under
    the round's probability cap; infeasible → ValidationFailed naming the candidacies that cannot be covered."""
    labels = [c.company.name_ko for c in pool.candidacies]
    settings = pool.settings
    problem: dict[str, Any] = {
        "reviews_per_candidacy": settings.reviews_per_candidacy,
        "min_load": 0 if only_fill else settings.load_min,
        "max_load": settings.load_max,
        "forbidden": forbidden,
        "locked": [at for a in locked if (at := pool.index(a.candidacy_id, a.evaluator_id))] or None,
        "candidacy_ids": labels,
        "evaluator_ids": [str(e.user) for e in pool.evaluators],
    }
    try:
        result = assignment_model.assign(affinity, **problem)
        if settings.assignment_mode != RoundSettings.AssignmentMode.RANDOMIZED:
            pairs = [(int(p.candidacy), int(p.evaluator)) for p in result.pairs]
            return _Solved(pairs, result.objective, result.objective)
        plan = randomized.randomized_plan(
            affinity, q=settings.probability_cap, deterministic=result, **problem
        )
    except assignment_model.AssignmentInfeasible as exc:
        raise _infeasible(labels, exc) from None
    seed = secrets.randbits(32) if seed is None else seed
    pairs = randomized.sample_assignment(plan, np.random.default_rng(seed))
    return _Solved(pairs, plan.optimum, plan.expected_affinity, float(plan.q), seed)


def _apply(
    rnd: Round,
    current: list[Assignment],
    locked: list[Assignment],
    wanted: dict[tuple[int, int], float],
    now: dt.datetime,
) -> AssignmentOutcome:
    """End the current pairs the solve dropped (their drafts go), keep the rest, create the new ones."""
    outcome = AssignmentOutcome()
    ended: list[Assignment] = []
    for a in current:
        key = (a.candidacy_id, a.evaluator_id)
        if key in wanted or a in locked:
            outcome.kept += 1
            wanted.pop(key, None)
        else:
            a.active, a.ended_at, a.reason = False, now, _("Re-solved")
            ended.append(a)
    Assignment.objects.bulk_update(ended, ["active", "ended_at", "reason"], batch_size=1000)
    Review.objects.filter(assignment__in=ended, state=Review.State.DRAFT).delete()
    added = Assignment.objects.bulk_create(
        [
            Assignment(round=rnd, candidacy_id=cid, evaluator_id=eid, affinity=aff, created_at=now)
            for (cid, eid), aff in sorted(wanted.items())
        ],
        batch_size=2000,
    )
    outcome.added, outcome.removed = len(added), len(ended)
    outcome.added_by = Counter(a.evaluator_id for a in added)
    outcome.removed_by = Counter(a.evaluator_id for a in ended)
    return outcome


def _solve(
    rnd: Round, *, acting_user: User, only_fill: bool, seed: int | None = None, body_id: int | None = None
) -> AssignmentOutcome:
    """The solve of one panel on a locked round: record detected conflicts, keep what must stay, optimise the
    rest. `body_id` names a body-run committee; None is the central panel."""
    require_round_allows(rnd, RoundAction.ASSIGN)
    pool = _pool(rnd, body_id)
    now = timezone.now()
    new_conflicts = conflicts_record_detected(
        round=rnd, evaluators=pool.evaluators, candidacies=pool.candidacies, now=now
    )
    panel = Candidacy.objects.filter(_scope(rnd, body_id)).values("pk")
    current = list(
        Assignment.objects.filter(round=rnd, active=True, candidacy__in=panel).select_related("review")
    )
    locked = _locked(rnd, current, only_fill=only_fill)
    affinity = _affinity(pool.evaluators, pool.candidacies)
    solved = _chosen_pairs(pool, affinity, _forbidden(rnd, pool), locked, only_fill=only_fill, seed=seed)
    pairs = solved.pairs
    wanted = {(pool.candidacies[i].pk, pool.evaluators[j].pk): float(affinity[i, j]) for i, j in pairs}
    outcome = _apply(rnd, current, locked, wanted, now)
    outcome.total_affinity = float(sum(affinity[i, j] for i, j in pairs))
    outcome.run = AssignmentRun.objects.create(
        round=rnd,
        mode=pool.settings.assignment_mode,
        probability_cap=solved.q,
        seed=solved.seed,
        optimum=solved.optimum,
        expected_affinity=solved.expected,
        drawn_affinity=outcome.total_affinity,
        pairs=len(pairs),
        fill_only=only_fill,
        created_at=now,
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="assignment.solve",
        obj=rnd,
        changes={
            "added": {"before": None, "after": outcome.added},
            "removed": {"before": None, "after": outcome.removed},
            "kept": {"before": None, "after": outcome.kept},
            "conflicts_detected": {"before": None, "after": len(new_conflicts)},
            "total_affinity": {"before": None, "after": float(f"{outcome.total_affinity:.4f}")},
            "mode": {"before": None, "after": pool.settings.assignment_mode},
            "probability_cap": {"before": None, "after": solved.q},
            "seed": {"before": None, "after": solved.seed},
            "expected_affinity": {"before": None, "after": float(f"{solved.expected:.4f}")},
            "deterministic_optimum": {"before": None, "after": float(f"{solved.optimum:.4f}")},
            "committee_of": {"before": None, "after": body_id},
        },
    )
    users = _user_ids(set(outcome.added_by) | set(outcome.removed_by))
    key = f"run-{outcome.run.pk}"
    notices.tell_assigned(rnd, {users[e]: n for e, n in outcome.added_by.items()}, key=key)
    notices.tell_unassigned(rnd, {users[e]: n for e, n in outcome.removed_by.items()}, key=key)
    return outcome


def _user_ids(evaluator_ids: set[int]) -> dict[int, int]:
    """Evaluator profile id → its user's id."""
    return dict(EvaluatorProfile.objects.filter(pk__in=evaluator_ids).values_list("pk", "user_id"))


@transaction.atomic
def assignment_solve(*, round: Round, acting_user: User, seed: int | None = None) -> AssignmentOutcome:
    """Give every eligible candidacy its k evaluators, each evaluator a load within [min, max], maximising total
    affinity; conflicted pairs (declared or detected) are never assigned. Pairs with a submitted review or made
    by hand are kept. An infeasible instance raises ValidationFailed naming the candidacies that cannot be
    covered.

    A round set to the randomised mode draws the assignment from the plan that maximises expected affinity with
    no pair above the probability cap q (Jecmen et al. 2020), with `seed` (a fresh random one when None); the run
    records the seed, the expected affinity, the deterministic optimum and their ratio."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    return _solve(rnd, acting_user=acting_user, only_fill=False, seed=seed)


@transaction.atomic
def committee_assignment_solve(*, round: Round, body_id: int, acting_user: User) -> AssignmentOutcome:
    """A body-run committee's own solve: the same optimal assignment over its candidacies and its members.
    Its ministry officers run it (or the programme office for them)."""
    require_role(acting_user, OFFICE, Role.MINISTRY_OFFICER)
    if acting_user.role == Role.MINISTRY_OFFICER and acting_user.body_id != body_id:
        raise Forbidden(_("A committee assigns only its own body's candidacies."), code="other_body")
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if body_id not in body_run_ids(rnd):
        raise ConflictError(
            _("The central panel evaluates this body's candidacies in this round."), code="central"
        )
    return _solve(rnd, acting_user=acting_user, only_fill=False, body_id=body_id)


@transaction.atomic
def assignment_fill_gaps(*, round: Round, acting_user: User, body_id: int | None = None) -> AssignmentOutcome:
    """Keep every current pair and give the candidacies short of evaluators their missing ones (no minimum
    load): what follows an evaluator's declared conflict, so the evaluator declaring may cause it."""
    require_role(acting_user, OFFICE, Role.EVALUATOR)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    return _solve(rnd, acting_user=acting_user, only_fill=True, body_id=body_id)


def _assignment_end(*, candidacy: Candidacy, remove: Assignment, reason: str, now: dt.datetime) -> AuditItem:
    a = Assignment.objects.select_for_update().get(pk=remove.pk)
    if a.candidacy_id != candidacy.pk or not a.active:
        raise ValidationFailed(_("That assignment is not active on this candidacy."))
    if Review.objects.filter(assignment=a, state=Review.State.SUBMITTED).exists():
        raise ConflictError(_("This evaluator has submitted a review; it stays."), code="review_submitted")
    a.active, a.ended_at, a.reason = False, now, reason
    a.save(update_fields=["active", "ended_at", "reason"])
    Review.objects.filter(assignment=a, state=Review.State.DRAFT).delete()
    return AuditItem(
        action="assignment.remove",
        object_type="rounds.assignment",
        object_id=str(a.pk),
        changes={"active": {"before": True, "after": False}},
        reason=reason,
    )


def _assignment_add(
    *, rnd: Round, candidacy: Candidacy, evaluator: EvaluatorProfile, reason: str, now: dt.datetime
) -> tuple[Assignment, AuditItem]:
    if conflicted_pair(evaluator=evaluator, candidacy=candidacy):
        raise ValidationFailed(
            _("%(evaluator)s has a conflict of interest with this company.") % {"evaluator": evaluator},
            [ErrorDetail(message=_("Conflicted pair"), field="evaluator", code="conflict")],
            code="conflicted_pair",
        )
    if Assignment.objects.filter(candidacy=candidacy, evaluator=evaluator, active=True).exists():
        raise ValidationFailed(
            _("This evaluator is already assigned."), [ErrorDetail(message="", field="evaluator")]
        )
    new = Assignment.objects.create(
        round=rnd,
        candidacy=candidacy,
        evaluator=evaluator,
        source=Assignment.Source.MANUAL,
        reason=reason,
        created_at=now,
    )
    item = AuditItem(
        action="assignment.add",
        object_type="rounds.assignment",
        object_id=str(new.pk),
        changes={
            "candidacy_id": {"before": None, "after": candidacy.pk},
            "evaluator_id": {"before": None, "after": evaluator.pk},
            "source": {"before": None, "after": Assignment.Source.MANUAL.value},
        },
        reason=reason,
    )
    return new, item


@transaction.atomic
def assignment_change(
    *,
    round: Round,
    candidacy: Candidacy,
    acting_user: User,
    reason: str,
    add_evaluator: EvaluatorProfile | None = None,
    remove: Assignment | None = None,
) -> Assignment | None:
    """The programme office adds and/or removes an evaluator of one candidacy by hand, with a reason."""
    text_check(reason=reason)
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.ASSIGN)
    if not reason.strip():
        raise ValidationFailed(
            _("A manual change needs a reason."),
            [ErrorDetail(message=_("Required"), field="reason")],
            code="reason_required",
        )
    if candidacy.round_id != rnd.pk:
        raise ValidationFailed(_("The candidacy is not in this round."))
    if add_evaluator is None and remove is None:
        raise ValidationFailed(_("Choose an evaluator to add or an assignment to end."))
    now = timezone.now()
    items: list[AuditItem] = []
    if remove is not None:
        items.append(_assignment_end(candidacy=candidacy, remove=remove, reason=reason.strip(), now=now))
    new = None
    if add_evaluator is not None:
        new, item = _assignment_add(
            rnd=rnd, candidacy=candidacy, evaluator=add_evaluator, reason=reason.strip(), now=now
        )
        items.append(item)
    audit_record_many(actor=acting_user, items=items)
    if remove is not None:
        user_id = _user_ids({remove.evaluator_id})[remove.evaluator_id]
        notices.tell_unassigned(rnd, {user_id: 1}, key=f"a-{remove.pk}")
    if new is not None:
        notices.tell_assigned(rnd, {new.evaluator.user_id: 1}, key=f"a-{new.pk}")
    return new
