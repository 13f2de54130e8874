"""The evaluator pool, the relationships evaluators declare, and the conflicts they declare on an assignment
(detected conflicts: `services.conflicts`)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.registry.models import Company
from nic1000.rounds.models import Assignment, Conflict, EvaluatorProfile, EvaluatorRelationship, Review
from nic1000.rounds.services.assignment import assignment_fill_gaps
from nic1000.rounds.workflows import RoundAction, require_round_allows

_PROFILE_FIELDS = ["affiliation", "ksic_sections", "keywords", "expertise", "active"]
_SECTIONS = re.compile(r"^[A-U](,[A-U])*$")


def _clean_sections(value: str) -> str:
    sections = ",".join(sorted({s.strip().upper() for s in value.replace(" ", ",").split(",") if s.strip()}))
    if sections and not _SECTIONS.match(sections):
        raise ValidationFailed(
            _("KSIC sections are letters A to U, separated by commas."),
            [ErrorDetail(message=_("Letters A–U"), field="ksic_sections", value=value)],
        )
    return sections


def _require_self_or_office(*, acting_user: User, evaluator_user: User) -> None:
    """The programme office keeps the pool; an evaluator keeps their own profile and relationships."""
    if acting_user.pk == evaluator_user.pk:
        require_role(acting_user, Role.EVALUATOR)
    else:
        require_role(acting_user, OFFICE)


@transaction.atomic
def evaluator_profile_save(
    *,
    user: User,
    acting_user: User,
    affiliation: str = "",
    ksic_sections: str = "",
    keywords: str = "",
    expertise: str = "",
    active: bool | None = None,
) -> EvaluatorProfile:
    """Create or update an evaluator's profile (the user must have the evaluator role). `active` None keeps
    the pool membership as it is (a new profile is active): saving expertise never re-activates anyone."""
    text_check(affiliation=affiliation, ksic_sections=ksic_sections, keywords=keywords, expertise=expertise)
    _require_self_or_office(acting_user=acting_user, evaluator_user=user)
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
    if active is not None:
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
    *, evaluator: EvaluatorProfile, company: Company, kind: str, acting_user: User, note: str = ""
) -> EvaluatorRelationship:
    text_check(note=note)
    _require_self_or_office(acting_user=acting_user, evaluator_user=evaluator.user)
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


@transaction.atomic
def conflict_declare(*, assignment: Assignment, reason: str, acting_user: User) -> tuple[Conflict, int]:
    """The evaluator declares a conflict on an assigned candidacy: the pair is recorded as conflicted, the
    assignment ends and the candidacy is re-assigned (other pairs stay). Returns (conflict, evaluators added)."""
    text_check(reason=reason)
    require_role(acting_user, Role.EVALUATOR)
    a = Assignment.objects.select_for_update().select_related("round", "evaluator").get(pk=assignment.pk)
    if a.evaluator.user_id != acting_user.pk:
        raise ConflictError(_("Only the assigned evaluator declares a conflict."), code="not_assigned")
    if not a.active:
        raise ConflictError(_("This assignment has already ended."), code="assignment_ended")
    require_round_allows(a.round, RoundAction.DECLARE_CONFLICT)
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
    try:
        # The replacement comes from the panel that evaluates the candidacy (the central one or its committee).
        added = assignment_fill_gaps(
            round=a.round, acting_user=acting_user, body_id=a.evaluator.body_id
        ).added
    except ValidationFailed:
        # No replacement is possible now; the programme office sees the gap on the assignment page.
        added = 0
    return conflict, added
