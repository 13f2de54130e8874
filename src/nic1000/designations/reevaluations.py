"""Services of the half-yearly re-evaluation (issue 15.3): the programme office opens a half-year, each
nominating body re-evaluates its own designated companies (four ratings with comments and a recommendation),
the office decides. Continuation is written here; a removal goes through monitoring's `membership_remove` (the
one removal path), which then records the decision here (`reevaluation_decision_record`).

Kept apart from `designations.services` (designations made and ended) as a topic of its own."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify, workflow_transition
from nic1000.audit.services import audit_record, created
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.core.text import text_check
from nic1000.designations.models import LIVE_STATES, Membership, Reevaluation, ReevaluationPeriod
from nic1000.designations.workflows import MEMBERSHIP

HALF = re.compile(r"^\d{4}H[12]$")


@dataclass(frozen=True)
class Ratings:
    """The nominating body's four ratings (1–5) with a comment each."""

    innovation_effort: int
    growth: int
    financial: int
    non_financial: int
    innovation_effort_comment: str = ""
    growth_comment: str = ""
    financial_comment: str = ""
    non_financial_comment: str = ""


def _officers_of(body_ids: object) -> list[User]:
    return list(User.objects.filter(role=Role.MINISTRY_OFFICER, body_id__in=body_ids, is_active=True))


def _company_reps(company_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.COMPANY, company_id=company_id, is_active=True))


@transaction.atomic
def reevaluation_period_open(*, half: str, due_on: dt.date, acting_user: User) -> ReevaluationPeriod:
    """Open a half-year's re-evaluation; each body with designated companies is told what is due."""
    require_role(acting_user, OFFICE, message=_("Only the programme office opens a re-evaluation."))
    half = half.strip().upper()
    if not HALF.match(half):
        raise ValidationFailed(
            _("Write the half-year as 2027H1 or 2027H2."),
            [ErrorDetail(message=_("Write the half-year as 2027H1 or 2027H2."), field="half", value=half)],
            code="half_invalid",
        )
    today = timezone.localdate()
    if due_on < today:
        raise ValidationFailed(
            _("The due date has passed."),
            [ErrorDetail(message=_("The due date has passed."), field="due_on", value=str(due_on))],
            code="due_in_past",
        )
    if ReevaluationPeriod.objects.filter(half=half).exists():
        raise Conflict(
            _("The re-evaluation of %(half)s is already open.") % {"half": half}, code="period_exists"
        )
    period = ReevaluationPeriod.objects.create(
        half=half, opened_on=today, due_on=due_on, opened_by=acting_user
    )
    audit_record(
        actor=acting_user,
        action="reevaluation_period.open",
        obj=period,
        changes=created({"half": half, "due_on": due_on.isoformat()}),
    )
    counts = dict(
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .values_list("body_id")
        .annotate(n=Count("id"))
        .values_list("body_id", "n")
    )
    link = reverse("monitoring:reevaluation_list")
    for officer in _officers_of(counts):
        assert officer.body_id is not None
        notify(
            recipients=[officer],
            kind="designation.reevaluation_due",
            title=gettext_noop("Re-evaluation of %(half)s: %(n)s companies by %(due)s"),
            body=gettext_noop(
                "Re-evaluate the designated companies your body nominated: innovation effort, future growth, "
                "financial and non-financial results, and whether the designation should continue."
            ),
            params={"half": half, "n": int(counts[officer.body_id]), "due": due_on.isoformat()},
            link=link,
            dedupe_key=f"reevaluation-due-{half}-{officer.body_id}",
        )
    return period


def _rating_problems(ratings: Ratings, recommendation: str) -> list[ErrorDetail]:
    problems = [
        ErrorDetail(message=_("Rate from 1 to 5."), field=name, value=getattr(ratings, name))
        for name in Reevaluation.RATINGS
        if not isinstance(getattr(ratings, name), int) or not 1 <= getattr(ratings, name) <= 5
    ]
    if recommendation not in Reevaluation.Recommendation.values:
        problems.append(
            ErrorDetail(
                message=_("Recommend continuing or removing."), field="recommendation", value=recommendation
            )
        )
    elif recommendation == Reevaluation.Recommendation.REMOVE and not any(
        getattr(ratings, f"{name}_comment").strip() for name in Reevaluation.RATINGS
    ):
        problems.append(ErrorDetail(message=_("Say why in a comment."), field="innovation_effort_comment"))
    return problems


@transaction.atomic
def reevaluation_file(
    *,
    period: ReevaluationPeriod,
    membership: Membership,
    ratings: Ratings,
    recommendation: str,
    acting_user: User,
) -> Reevaluation:
    """The nominating body's officer files the re-evaluation of one of its designated companies; the
    designation is under re-evaluation until the office decides. Another body's company: Forbidden, nothing
    changes."""
    require_role(acting_user, {Role.MINISTRY_OFFICER}, message=_("Only the nominating body re-evaluates."))
    text_check(**{f"{n}_comment": getattr(ratings, f"{n}_comment") for n in Reevaluation.RATINGS})
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if acting_user.body_id is None or locked.body_id != acting_user.body_id:
        raise Forbidden(
            _("Only the body that nominated the company re-evaluates it."), code="not_nominating_body"
        )
    problems = _rating_problems(ratings, recommendation)
    if problems:
        raise ValidationFailed(_("The re-evaluation is not complete."), problems, code="reevaluation_invalid")
    if Reevaluation.objects.filter(period=period, membership=locked).exists():
        raise Conflict(
            _("The company was already re-evaluated for %(half)s.") % {"half": period.half},
            code="already_reevaluated",
        )
    if locked.status != Membership.Status.ACTIVE:
        raise Conflict(_("The company is not designated now."), code="membership_not_active")
    now = timezone.now()
    reevaluation = Reevaluation.objects.create(
        period=period,
        membership=locked,
        body_id=locked.body_id,
        recommendation=recommendation,
        filed_by=acting_user,
        filed_at=now,
        **{n: getattr(ratings, n) for n in Reevaluation.RATINGS},
        **{f"{n}_comment": getattr(ratings, f"{n}_comment").strip() for n in Reevaluation.RATINGS},
    )
    audit_record(
        actor=acting_user,
        action="reevaluation.file",
        obj=reevaluation,
        changes=created(
            {
                "membership_id": locked.pk,
                "half": period.half,
                "recommendation": recommendation,
                **{n: getattr(ratings, n) for n in Reevaluation.RATINGS},
            }
        ),
    )
    workflow_transition(
        obj=locked,
        workflow=MEMBERSHIP,
        transition="reevaluate",
        acting_user=acting_user,
        state_field="status",
    )
    membership.status = locked.status
    return reevaluation


def _tell_decided(reevaluation: Reevaluation, decision: str) -> None:
    m = reevaluation.membership
    title = (
        gettext_noop("Re-evaluation of %(half)s decided: %(company)s stays designated")
        if decision == Reevaluation.Decision.CONTINUE
        else gettext_noop("Re-evaluation of %(half)s decided: %(company)s is removed from the programme")
    )
    notify(
        recipients=[*_company_reps(m.company_id), *_officers_of([reevaluation.body_id])],
        kind="designation.reevaluated",
        title=title,
        body=gettext_noop("The programme office decided on the half-yearly re-evaluation."),
        params={"half": reevaluation.period.half, "company": m.company.name_ko},
        link=reverse("monitoring:reevaluation_detail", kwargs={"pk": reevaluation.pk}),
        dedupe_key=f"reevaluated-{reevaluation.pk}",
    )


@transaction.atomic
def reevaluation_decision_record(
    *, reevaluation: Reevaluation, decision: str, note: str, acting_user: User
) -> Reevaluation:
    """The office's decision on a filed re-evaluation. Continue: the designation is designated again. Remove:
    recorded after monitoring's `membership_remove` has removed the company (the designation must be removed
    by then). The company and the body are told."""
    require_role(acting_user, OFFICE, message=_("Only the programme office decides."))
    text_check(note=note)
    locked = (
        Reevaluation.objects.select_for_update()
        .select_related("membership__company", "period")
        .get(pk=reevaluation.pk)
    )
    if locked.decision:
        raise Conflict(_("The re-evaluation is already decided."), code="already_decided")
    if decision not in (Reevaluation.Decision.CONTINUE, Reevaluation.Decision.REMOVE):
        raise ValidationFailed(
            _("Continue or remove."), [ErrorDetail(message="", field="decision", value=decision)]
        )
    membership = locked.membership
    if decision == Reevaluation.Decision.CONTINUE:
        if membership.status != Membership.Status.UNDER_REEVALUATION:
            raise Conflict(_("The company is not under re-evaluation."), code="not_under_reevaluation")
        workflow_transition(
            obj=membership,
            workflow=MEMBERSHIP,
            transition="continue",
            acting_user=acting_user,
            state_field="status",
        )
    elif membership.status in LIVE_STATES:
        raise Conflict(_("Remove the company through the removal first."), code="not_removed")
    locked.decision, locked.decision_note = decision, note.strip()
    locked.decided_by, locked.decided_at = acting_user, timezone.now()
    locked.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    audit_record(
        actor=acting_user,
        action="reevaluation.decide",
        obj=locked,
        changes={"decision": {"before": "", "after": decision}},
        reason=note,
    )
    _tell_decided(locked, decision)
    reevaluation.decision = locked.decision
    return locked
