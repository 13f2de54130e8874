"""Assignment of evaluators to candidacies: the optimal solve (pure solver), re-solves that keep submitted
reviews and hand-made pairs, and the programme office's manual changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.audit.services import AuditItem, audit_record, audit_record_many
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.registry.models import CoreTechnology, Patent
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    Conflict,
    EvaluatorProfile,
    Review,
    Round,
    RoundSettings,
)
from nic1000.rounds.services import solvers
from nic1000.rounds.services.evaluators import detected_conflicts

ASSIGNABLE_STATES = ("nominating", "evaluating")


@dataclass
class AssignmentOutcome:
    added: int = 0
    removed: int = 0
    kept: int = 0
    locked: int = 0
    total_affinity: float = 0.0
    loads: dict[int, int] = field(default_factory=dict)


def _split_keywords(value: str) -> list[str]:
    return [k.strip() for k in value.replace(";", ",").split(",") if k.strip()]


def candidacy_profiles(candidacies: list[Candidacy]) -> list[dict[str, Any]]:
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
        {
            "ksic": c.company.ksic_id,
            "keywords": keywords[c.company_id],
            "ipc": ipc[c.company_id],
            "text": " ".join(text[c.company_id]),
        }
        for c in candidacies
    ]


def affinity_for(evaluators: list[EvaluatorProfile], candidacies: list[Candidacy]) -> np.ndarray:
    """Candidacy × evaluator affinity: KSIC overlap, keyword overlap, IPC overlap and TF-IDF similarity of the
    evaluator's expertise and the company's technologies and patents."""
    return solvers.affinity(
        evaluators=[
            {
                "sections": e.sections,
                "keywords": _split_keywords(e.keywords),
                "text": f"{e.keywords} {e.expertise}",
            }
            for e in evaluators
        ],
        candidacies=candidacy_profiles(candidacies),
    )


@transaction.atomic
def assignment_solve(*, round: Round, acting_user: Any, only_fill: bool = False) -> AssignmentOutcome:
    """Give every eligible candidacy its k evaluators, each evaluator a load within [min, max], maximising total
    affinity; conflicted pairs (declared or detected) are never assigned. Pairs with a submitted review or made
    by hand are kept; with `only_fill` every current pair is kept and only the gaps are filled.
    An infeasible instance raises ValidationFailed naming the candidacies that cannot be covered."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state not in ASSIGNABLE_STATES:
        raise ConflictError(_("Evaluators are assigned while nominating or evaluating."), code="round_state")
    settings = RoundSettings.objects.get(round=rnd)
    candidacies = list(
        Candidacy.objects.filter(round=rnd, eligible=True).select_related("company").order_by("id")
    )
    evaluators = list(EvaluatorProfile.objects.filter(active=True).select_related("user").order_by("id"))
    if not candidacies:
        raise ValidationFailed(_("There is no eligible candidacy to assign."), code="nothing_to_assign")
    if not evaluators:
        raise ValidationFailed(_("The evaluator pool is empty."), code="no_evaluators")
    ci = {c.pk: i for i, c in enumerate(candidacies)}
    ei = {e.pk: j for j, e in enumerate(evaluators)}
    # Record the detected conflicts first so they show on the pages too.
    existing = set(Conflict.objects.filter(candidacy__round=rnd).values_list("evaluator_id", "candidacy_id"))
    now = timezone.now()
    new_conflicts: dict[tuple[int, int], Conflict] = {}
    for eid, cid, kind, reason in detected_conflicts(evaluators=evaluators, candidacies=candidacies):
        if (eid, cid) not in existing and (eid, cid) not in new_conflicts:
            new_conflicts[(eid, cid)] = Conflict(
                candidacy_id=cid,
                evaluator_id=eid,
                source=Conflict.Source.DETECTED,
                kind=kind,
                reason=reason,
                created_at=now,
            )
    Conflict.objects.bulk_create(new_conflicts.values())
    forbidden = np.zeros((len(candidacies), len(evaluators)), dtype=bool)
    for eid, cid in Conflict.objects.filter(candidacy__round=rnd).values_list("evaluator_id", "candidacy_id"):
        if cid in ci and eid in ei:
            forbidden[ci[cid], ei[eid]] = True
    current = list(Assignment.objects.filter(round=rnd, active=True).select_related("review"))
    submitted = set(
        Review.objects.filter(
            assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
        ).values_list("assignment_id", flat=True)
    )
    locked_rows = [
        a for a in current if only_fill or a.pk in submitted or a.source == Assignment.Source.MANUAL
    ]
    locked = [
        (ci[a.candidacy_id], ei[a.evaluator_id])
        for a in locked_rows
        if a.candidacy_id in ci and a.evaluator_id in ei
    ]
    affinity = affinity_for(evaluators, candidacies)
    pairs = solvers.assign(
        affinity=affinity,
        k=settings.reviews_per_candidacy,
        load_min=settings.load_min if not only_fill else 0,
        load_max=settings.load_max,
        forbidden=forbidden,
        locked=locked,
        candidacy_labels=[c.company.name_ko for c in candidacies],
        evaluator_labels=[str(e.user) for e in evaluators],
    )
    wanted = {(candidacies[i].pk, evaluators[j].pk): float(affinity[i, j]) for i, j in pairs}
    outcome = AssignmentOutcome(locked=len(locked_rows))
    ended: list[Assignment] = []
    for a in current:
        key = (a.candidacy_id, a.evaluator_id)
        if key in wanted or a in locked_rows:
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
    outcome.total_affinity = float(sum(affinity[i, j] for i, j in pairs))
    for _i, j in pairs:
        outcome.loads[evaluators[j].pk] = outcome.loads.get(evaluators[j].pk, 0) + 1
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
        },
    )
    return outcome


@transaction.atomic
def assignment_change(
    *,
    round: Round,
    candidacy: Candidacy,
    acting_user: Any,
    reason: str,
    add_evaluator: EvaluatorProfile | None = None,
    remove: Assignment | None = None,
) -> Assignment | None:
    """The programme office adds and/or removes an evaluator of one candidacy by hand, with a reason."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.state not in ASSIGNABLE_STATES:
        raise ConflictError(_("Assignments change while nominating or evaluating."), code="round_state")
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
        a = Assignment.objects.select_for_update().get(pk=remove.pk)
        if a.candidacy_id != candidacy.pk or not a.active:
            raise ValidationFailed(_("That assignment is not active on this candidacy."))
        if Review.objects.filter(assignment=a, state=Review.State.SUBMITTED).exists():
            raise ConflictError(
                _("This evaluator has submitted a review; it stays."), code="review_submitted"
            )
        a.active, a.ended_at, a.reason = False, now, reason.strip()
        a.save(update_fields=["active", "ended_at", "reason"])
        Review.objects.filter(assignment=a, state=Review.State.DRAFT).delete()
        items.append(
            AuditItem(
                action="assignment.remove",
                object_type="rounds.assignment",
                object_id=str(a.pk),
                changes={"active": {"before": True, "after": False}},
                reason=reason,
            )
        )
    new = None
    if add_evaluator is not None:
        if Conflict.objects.filter(candidacy=candidacy, evaluator=add_evaluator).exists() or any(
            cid == candidacy.pk
            for _e, cid, _k, _r in detected_conflicts(evaluators=[add_evaluator], candidacies=[candidacy])
        ):
            raise ValidationFailed(
                _("%(evaluator)s has a conflict of interest with this company.")
                % {"evaluator": add_evaluator},
                [ErrorDetail(message=_("Conflicted pair"), field="evaluator", code="conflict")],
                code="conflicted_pair",
            )
        if Assignment.objects.filter(candidacy=candidacy, evaluator=add_evaluator, active=True).exists():
            raise ValidationFailed(
                _("This evaluator is already assigned."), [ErrorDetail(message="", field="evaluator")]
            )
        new = Assignment.objects.create(
            round=rnd,
            candidacy=candidacy,
            evaluator=add_evaluator,
            source=Assignment.Source.MANUAL,
            reason=reason.strip(),
            created_at=now,
        )
        items.append(
            AuditItem(
                action="assignment.add",
                object_type="rounds.assignment",
                object_id=str(new.pk),
                changes={
                    "candidacy_id": {"before": None, "after": candidacy.pk},
                    "evaluator_id": {"before": None, "after": add_evaluator.pk},
                    "source": {"before": None, "after": "manual"},
                },
                reason=reason,
            )
        )
    audit_record_many(actor=acting_user, items=items)
    return new
