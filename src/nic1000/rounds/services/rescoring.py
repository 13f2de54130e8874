"""Reopening a candidacy after an upheld appeal (called by `appeals.services`, in its transaction):

- `candidacy_rescore`: a non-selection is re-scored by one more evaluator, chosen among the active evaluators
  with no conflict of interest with the company (recorded or detected) and who never evaluated this candidacy
  (active or ended assignments): the highest affinity, then the lightest current load, then the oldest profile.
  It runs in any round state (the round is usually published); the evaluator is told.
- `candidacy_eligibility_reopen`: an ineligibility is reopened: the registry's eligibility is checked again (its
  reasons recorded for the committee) and the candidacy is marked eligible, with the appeal's reason.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict as ConflictError
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE
from nic1000.core.text import text_check
from nic1000.rounds.models import Assignment, Candidacy, Conflict, EvaluatorProfile
from nic1000.rounds.selectors import eligibility_for
from nic1000.rounds.services.assignment import _affinity
from nic1000.rounds.services.conflicts import detected_conflicts

RESCORING = "rescoring"


def _reason_required(reason: str) -> None:
    text_check(reason=reason)
    if not reason.strip():
        raise ValidationFailed(
            _("Reopening a decision needs a reason."),
            [ErrorDetail(message=_("Required"), field="reason")],
            code="reason_required",
        )


def rescoring_candidates(*, candidacy: Candidacy) -> list[EvaluatorProfile]:
    """Active evaluators who may re-score `candidacy`: no conflict (recorded or detected) and never assigned to
    it before; in profile order."""
    previous = set(Assignment.objects.filter(candidacy=candidacy).values_list("evaluator_id", flat=True))
    recorded = set(Conflict.objects.filter(candidacy=candidacy).values_list("evaluator_id", flat=True))
    pool = list(
        EvaluatorProfile.objects.filter(active=True, user__is_active=True)
        .exclude(pk__in=previous | recorded)
        .select_related("user")
        .order_by("id")
    )
    detected = {d.evaluator_id for d in detected_conflicts(evaluators=pool, candidacies=[candidacy])}
    return [e for e in pool if e.pk not in detected]


@transaction.atomic
def candidacy_rescore(*, candidacy: Candidacy, reason: str, acting_user: User) -> Assignment:
    """Add one evaluator to `candidacy` to re-score it (see the module docstring); Conflict (code
    no_evaluator_available) when every active evaluator is conflicted or has evaluated it already."""
    require_role(acting_user, OFFICE)
    _reason_required(reason)
    c = Candidacy.objects.select_for_update().select_related("company", "round").get(pk=candidacy.pk)
    pool = rescoring_candidates(candidacy=c)
    if not pool:
        raise ConflictError(
            _(
                "No evaluator is left to re-score %(company)s: every active evaluator has a conflict of interest "
                "or has evaluated it already."
            )
            % {"company": c.company.name_ko},
            code="no_evaluator_available",
        )
    affinity = _affinity(pool, [c])
    loads = dict(
        Assignment.objects.filter(active=True, evaluator__in=pool)
        .values("evaluator_id")
        .annotate(n=Count("id"))
        .values_list("evaluator_id", "n")
    )
    best = max(
        range(len(pool)), key=lambda j: (float(affinity[0, j]), -loads.get(pool[j].pk, 0), -pool[j].pk)
    )
    evaluator = pool[best]
    assignment = Assignment.objects.create(
        round=c.round,
        candidacy=c,
        evaluator=evaluator,
        affinity=float(affinity[0, best]),
        source=Assignment.Source.MANUAL,
        reason=reason.strip(),
        created_at=timezone.now(),
    )
    audit_record(
        actor=acting_user,
        action="assignment.add",
        obj=assignment,
        changes=created(
            {
                "candidacy_id": c.pk,
                "evaluator_id": evaluator.pk,
                "source": Assignment.Source.MANUAL.value,
                "purpose": RESCORING,
            }
        ),
        reason=reason,
    )
    notify(
        recipients=[evaluator.user],
        kind="round.assigned",
        title=gettext_noop("Re-score %(company)s (%(round)s) after an appeal"),
        body=gettext_noop("An appeal was upheld: the candidacy is re-scored by a new evaluator."),
        params={"company": c.company.name_ko, "round": c.round.name},
        link=reverse("rounds:review", kwargs={"pk": assignment.pk}),
        dedupe_key=f"rescore-{assignment.pk}",
    )
    return assignment


_ELIGIBILITY_FIELDS = ["eligible", "eligibility_reasons", "eligibility_override_reason"]


@transaction.atomic
def candidacy_eligibility_reopen(*, candidacy: Candidacy, reason: str, acting_user: User) -> Candidacy:
    """Mark an ineligible candidacy eligible for the committee after an upheld appeal, with the registry's
    eligibility checked again (its reasons recorded) and the appeal's reason; Conflict when it is eligible."""
    require_role(acting_user, OFFICE)
    _reason_required(reason)
    c = (
        Candidacy.objects.select_for_update()
        .select_related("company", "round", "lead_body")
        .get(pk=candidacy.pk)
    )
    if c.eligible:
        raise ConflictError(_("The candidacy is already eligible."), code="already_eligible")
    before = snapshot(c, _ELIGIBILITY_FIELDS)
    _eligible, reasons = eligibility_for(round=c.round, company=c.company, body=c.lead_body)
    c.eligible = True
    c.eligibility_reasons = reasons
    c.eligibility_override_reason = reason.strip()
    c.save(update_fields=_ELIGIBILITY_FIELDS)
    audit_record(
        actor=acting_user,
        action="candidacy.eligibility_reopen",
        obj=c,
        changes=diff(before, snapshot(c, _ELIGIBILITY_FIELDS)),
        reason=reason,
    )
    for name in _ELIGIBILITY_FIELDS:
        setattr(candidacy, name, getattr(c, name))
    return c
