"""Conflicts of interest found without asking the evaluator: a declared relationship with the company, or an
affiliation naming it. The assignment never pairs a conflicted evaluator and candidacy; it records what it finds
here (`conflicts_record_detected`) as part of its own audited write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import NamedTuple

from django.utils.translation import gettext as _

from nic1000.rounds.models import Candidacy, Conflict, EvaluatorProfile, EvaluatorRelationship, Round

# Declared relationships that always make a conflict.
CONFLICTING_KINDS = frozenset(
    {
        EvaluatorRelationship.Kind.EMPLOYMENT,
        EvaluatorRelationship.Kind.SHAREHOLDING,
        EvaluatorRelationship.Kind.ADVISORY,
        EvaluatorRelationship.Kind.FAMILY,
        EvaluatorRelationship.Kind.OTHER,
    }
)


class DetectedConflict(NamedTuple):
    evaluator_id: int
    candidacy_id: int
    kind: str
    reason: str


def _norm(name: str) -> str:
    name = re.sub(r"\(주\)|주식회사|㈜|co\.?,? ?ltd\.?|inc\.?|corp\.?", "", name.lower())
    return re.sub(r"[\s\.,()\-]", "", name)


def _relationship_label(kind: str) -> str:
    try:
        return str(EvaluatorRelationship.Kind(kind).label).lower()
    except ValueError:
        return kind


def _declared_relationships(
    evaluators: Sequence[EvaluatorProfile], candidacies: Sequence[Candidacy]
) -> list[DetectedConflict]:
    by_company = {c.company_id: c for c in candidacies}
    rels = EvaluatorRelationship.objects.filter(
        evaluator__in=[e.pk for e in evaluators], company_id__in=list(by_company)
    ).values_list("evaluator_id", "company_id", "kind")
    return [
        DetectedConflict(
            ev_id,
            by_company[company_id].pk,
            kind,
            _("Declared %(kind)s relationship") % {"kind": _relationship_label(kind)},
        )
        for ev_id, company_id, kind in rels
        if kind in CONFLICTING_KINDS
    ]


def _affiliations(
    evaluators: Sequence[EvaluatorProfile], candidacies: Sequence[Candidacy]
) -> list[DetectedConflict]:
    names = {c.pk: {_norm(c.company.name_ko), _norm(c.company.name_en or "")} - {""} for c in candidacies}
    out: list[DetectedConflict] = []
    for e in evaluators:
        aff = _norm(e.affiliation)
        if len(aff) < 2:
            continue
        for cid, company_names in names.items():
            if any(n and (n == aff or (len(n) >= 3 and n in aff)) for n in company_names):
                out.append(DetectedConflict(e.pk, cid, "affiliation", _("Affiliation matches the company")))
    return out


def detected_conflicts(
    *, evaluators: Sequence[EvaluatorProfile], candidacies: Sequence[Candidacy]
) -> list[DetectedConflict]:
    """Every detected conflict: a declared employment, shareholding, advisory, family or other relationship
    with the company, or an affiliation naming the company (candidacies need their company loaded)."""
    return _declared_relationships(evaluators, candidacies) + _affiliations(evaluators, candidacies)


def conflicts_record_detected(
    *,
    round: Round,
    evaluators: Sequence[EvaluatorProfile],
    candidacies: Sequence[Candidacy],
    now: dt.datetime,
) -> list[Conflict]:
    """Record the detected conflicts of the round not recorded yet (idempotent); returns the new rows.
    A step of a caller's transaction, which writes the audit row."""
    existing = set(
        Conflict.objects.filter(candidacy__round=round).values_list("evaluator_id", "candidacy_id")
    )
    new: dict[tuple[int, int], Conflict] = {}
    for found in detected_conflicts(evaluators=evaluators, candidacies=candidacies):
        key = (found.evaluator_id, found.candidacy_id)
        if key not in existing and key not in new:
            new[key] = Conflict(
                candidacy_id=found.candidacy_id,
                evaluator_id=found.evaluator_id,
                source=Conflict.Source.DETECTED,
                kind=found.kind,
                reason=found.reason,
                created_at=now,
            )
    return Conflict.objects.bulk_create(new.values())


def conflicted_pair(*, evaluator: EvaluatorProfile, candidacy: Candidacy) -> bool:
    """Whether this evaluator may not evaluate this candidacy (recorded or detected conflict)."""
    if Conflict.objects.filter(candidacy=candidacy, evaluator=evaluator).exists():
        return True
    return any(
        found.candidacy_id == candidacy.pk
        for found in detected_conflicts(evaluators=[evaluator], candidacies=[candidacy])
    )
