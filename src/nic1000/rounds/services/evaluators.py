"""The evaluator pool, declared relationships, and conflicts of interest (declared or detected)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, created, diff, snapshot
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.roles import Role
from nic1000.registry.models import Company
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    Conflict,
    EvaluatorProfile,
    EvaluatorRelationship,
    Review,
    Round,
)

_PROFILE_FIELDS = ["affiliation", "ksic_sections", "keywords", "expertise", "active"]
# Declared relationships that always make a conflict.
CONFLICTING_KINDS = {
    EvaluatorRelationship.Kind.EMPLOYMENT,
    EvaluatorRelationship.Kind.SHAREHOLDING,
    EvaluatorRelationship.Kind.ADVISORY,
    EvaluatorRelationship.Kind.FAMILY,
    EvaluatorRelationship.Kind.OTHER,
}
_SECTIONS = re.compile(r"^[A-U](,[A-U])*$")


def _clean_sections(value: str) -> str:
    sections = ",".join(sorted({s.strip().upper() for s in value.replace(" ", ",").split(",") if s.strip()}))
    if sections and not _SECTIONS.match(sections):
        raise ValidationFailed(
            _("KSIC sections are letters A to U, separated by commas."),
            [ErrorDetail(message=_("Letters A–U"), field="ksic_sections", value=value)],
        )
    return sections


@transaction.atomic
def evaluator_profile_save(
    *,
    user: User,
    acting_user: Any,
    affiliation: str = "",
    ksic_sections: str = "",
    keywords: str = "",
    expertise: str = "",
    active: bool = True,
) -> EvaluatorProfile:
    """Create or update an evaluator's profile (the user must have the evaluator role)."""
    if user.role != Role.EVALUATOR:
        raise ValidationFailed(
            _("Only users with the evaluator role join the pool."), [ErrorDetail(message="", field="user")]
        )
    profile = EvaluatorProfile.objects.select_for_update().filter(user=user).first()
    is_new = profile is None
    if profile is None:
        profile = EvaluatorProfile(user=user)
    before = {} if is_new else snapshot(profile, _PROFILE_FIELDS)
    profile.affiliation = affiliation.strip()
    profile.ksic_sections = _clean_sections(ksic_sections)
    profile.keywords = keywords.strip()
    profile.expertise = expertise.strip()
    profile.active = active
    profile.full_clean()
    profile.save()
    after = snapshot(profile, _PROFILE_FIELDS)
    audit_record(
        actor=acting_user,
        action="evaluator.create" if is_new else "evaluator.update",
        obj=profile,
        changes=created(after) if is_new else diff(before, after),
    )
    return profile


@transaction.atomic
def evaluator_relationship_add(
    *, evaluator: EvaluatorProfile, company: Company, kind: str, acting_user: Any, note: str = ""
) -> EvaluatorRelationship:
    if kind not in EvaluatorRelationship.Kind.values:
        raise ValidationFailed(
            _("Unknown relationship."), [ErrorDetail(message="", field="kind", value=kind)]
        )
    rel, _new = EvaluatorRelationship.objects.get_or_create(
        evaluator=evaluator, company=company, kind=kind, defaults={"note": note}
    )
    audit_record(
        actor=acting_user, action="evaluator.relationship_add", obj=rel, changes=created(snapshot(rel))
    )
    return rel


def _norm(name: str) -> str:
    name = re.sub(r"\(주\)|주식회사|㈜|co\.?,? ?ltd\.?|inc\.?|corp\.?", "", name.lower())
    return re.sub(r"[\s\.,()\-]", "", name)


def _relationship_label(kind: str) -> str:
    try:
        return str(EvaluatorRelationship.Kind(kind).label).lower()
    except ValueError:
        return kind


def detected_conflicts(
    *, evaluators: Sequence[EvaluatorProfile], candidacies: Sequence[Candidacy]
) -> list[tuple[int, int, str, str]]:
    """(evaluator id, candidacy id, kind, reason) for every detected conflict: a declared employment,
    shareholding, advisory or other relationship with the company, or an affiliation naming the company."""
    by_company = {c.company_id: c for c in candidacies}
    out: list[tuple[int, int, str, str]] = []
    rels = EvaluatorRelationship.objects.filter(
        evaluator__in=[e.pk for e in evaluators], company_id__in=list(by_company)
    ).values_list("evaluator_id", "company_id", "kind")
    for ev_id, company_id, kind in rels:
        if kind in CONFLICTING_KINDS:
            out.append(
                (
                    ev_id,
                    by_company[company_id].pk,
                    kind,
                    _("Declared %(kind)s relationship") % {"kind": _relationship_label(kind)},
                )
            )
    names = {c.pk: {_norm(c.company.name_ko), _norm(c.company.name_en or "")} - {""} for c in candidacies}
    for e in evaluators:
        aff = _norm(e.affiliation)
        if len(aff) < 2:
            continue
        for cid, company_names in names.items():
            if any(n and (n == aff or (len(n) >= 3 and n in aff)) for n in company_names):
                out.append((e.pk, cid, "affiliation", _("Affiliation matches the company")))
    return out


@transaction.atomic
def conflicts_detect(*, round: Round, acting_user: Any) -> int:
    """Record every detected conflict of the round (idempotent); returns how many were new."""
    evaluators = list(EvaluatorProfile.objects.filter(active=True))
    candidacies = list(Candidacy.objects.filter(round=round).select_related("company"))
    found = detected_conflicts(evaluators=evaluators, candidacies=candidacies)
    existing = set(
        Conflict.objects.filter(candidacy__round=round).values_list("evaluator_id", "candidacy_id")
    )
    now = timezone.now()
    new: dict[tuple[int, int], Conflict] = {}
    for ev_id, cid, kind, reason in found:
        if (ev_id, cid) in existing or (ev_id, cid) in new:
            continue
        new[(ev_id, cid)] = Conflict(
            candidacy_id=cid,
            evaluator_id=ev_id,
            source=Conflict.Source.DETECTED,
            kind=kind,
            reason=reason,
            created_at=now,
        )
    rows = Conflict.objects.bulk_create(new.values())
    audit_record_many(
        actor=acting_user,
        items=[
            AuditItem(
                action="conflict.detect",
                object_type="rounds.conflict",
                object_id=f"{c.evaluator_id}:{c.candidacy_id}",
                changes={
                    "kind": {"before": None, "after": c.kind},
                    "reason": {"before": None, "after": c.reason},
                },
            )
            for c in rows
        ],
    )
    return len(rows)


@transaction.atomic
def conflict_declare(*, assignment: Assignment, reason: str, acting_user: Any) -> tuple[Conflict, int]:
    """The evaluator declares a conflict on an assigned candidacy: the pair is recorded as conflicted, the
    assignment ends and the candidacy is re-assigned (other pairs stay). Returns (conflict, evaluators added)."""
    a = Assignment.objects.select_for_update().select_related("round", "evaluator").get(pk=assignment.pk)
    if a.evaluator.user_id != getattr(acting_user, "pk", None):
        raise ConflictError(_("Only the assigned evaluator declares a conflict."), code="not_assigned")
    if not a.active:
        raise ConflictError(_("This assignment has already ended."), code="assignment_ended")
    if a.round.state not in ("nominating", "evaluating"):
        raise ConflictError(_("Scoring is closed."), code="round_state")
    if Review.objects.filter(assignment=a, state=Review.State.SUBMITTED).exists():
        raise ConflictError(
            _("The review has been submitted; ask the programme office."), code="review_submitted"
        )
    if not reason.strip():
        raise ValidationFailed(
            _("Describe the conflict."), [ErrorDetail(message=_("Required"), field="reason")]
        )
    now = timezone.now()
    conflict, _created = Conflict.objects.get_or_create(
        candidacy_id=a.candidacy_id,
        evaluator_id=a.evaluator_id,
        defaults={
            "source": Conflict.Source.DECLARED,
            "kind": "declared",
            "reason": reason.strip(),
            "created_at": now,
        },
    )
    a.active = False
    a.ended_at = now
    a.reason = _("Conflict declared: %(reason)s") % {"reason": reason.strip()}
    a.save(update_fields=["active", "ended_at", "reason"])
    Review.objects.filter(assignment=a, state=Review.State.DRAFT).delete()
    audit_record(
        actor=acting_user,
        action="conflict.declare",
        obj=conflict,
        changes={
            "assignment": {"before": "active", "after": "ended"},
            "candidacy_id": {"before": None, "after": a.candidacy_id},
            "reason": {"before": None, "after": reason.strip()},
        },
        reason=reason,
    )
    from nic1000.rounds.services.assignment import assignment_solve

    added = 0
    try:
        result = assignment_solve(round=a.round, acting_user=acting_user, only_fill=True)
        added = result.added
    except ValidationFailed:
        # No replacement is possible now; the programme office sees the gap on the assignment page.
        added = 0
    return conflict, added
