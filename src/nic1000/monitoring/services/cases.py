"""Support cases of the Financial Difficulty Support Group: opened by hand or by an inspection, then assigned,
worked on (actions) and moved through `CASE_WORKFLOW`.

One rule for opening, whichever way a case comes: a company has at most one active case (checked here and
held by the database constraint), a new case starts in the workflow's initial state, is due
`case_due_days` after opening unless given a date, belongs to the company's active designation, and writes one
`support_case.open` audit entry (`_opened`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify, workflow_transition
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, created, diff, snapshot
from nic1000.core import bulk
from nic1000.core.access import has_role, require_role
from nic1000.core.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from nic1000.core.roles import MONITORING_ACTORS
from nic1000.core.text import text_check
from nic1000.designations.selectors import membership_active_for
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import CaseAction, InspectionResult, InspectionRun, SupportCase
from nic1000.monitoring.services import notices
from nic1000.monitoring.workflows import ACTIVE_STATES, CASE_WORKFLOW
from nic1000.registry.models import Company, Institution


def _require_group(user: User | None) -> None:
    require_role(
        user,
        MONITORING_ACTORS,
        message=_("Only the support group and the programme office handle support cases."),
    )


def _closed() -> Conflict:
    return Conflict(_("The case is closed."), code="case_closed")


# ---------------------------------------------------------------- opening: one rule, two ways in


def active_cases() -> QuerySet[SupportCase]:
    return SupportCase.objects.filter(state__in=ACTIVE_STATES)


def _due_on(cfg: rules_mod.RuleConfig) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=cfg.case_due_days)


def _opened(
    *,
    case_id: int,
    company_id: int,
    membership_id: int | None,
    level: str,
    due_on: dt.date | None,
    summary: str = "",
    reason: str = "",
) -> AuditItem:
    return AuditItem(
        action="support_case.open",
        object_type=SupportCase._meta.label_lower,
        object_id=str(case_id),
        object_repr=f"#{case_id}",
        changes=created(
            {
                "company_id": company_id,
                "membership_id": membership_id,
                "level": level,
                "state": CASE_WORKFLOW.initial,
                "due_on": due_on,
                "summary": summary,
            }
        ),
        reason=reason,
    )


@transaction.atomic
def case_open(
    *, company: Company, level: str, acting_user: User, summary: str = "", due_on: dt.date | None = None
) -> SupportCase:
    """Open a case by hand (inspections open theirs in bulk: `cases_open_for_results`): for a designated
    company without an active case, at a level, with the reason in `summary` and a due date not in the past.
    The support group (but the one who opened it) and the company's representatives are told."""
    text_check(summary=summary)
    _require_group(acting_user)
    problems = []
    if level not in rules_mod.LEVEL_RANK:
        problems.append(ErrorDetail(message=_("Choose a level."), field="level", value=level))
    if due_on is not None and due_on < timezone.localdate():
        problems.append(
            ErrorDetail(message=_("The due date cannot be in the past."), field="due_on", value=str(due_on))
        )
    if problems:
        raise ValidationFailed(_("The case has problems."), problems, code="bad_case")
    membership = membership_active_for(company_id=company.pk)
    if membership is None:
        raise ValidationFailed(
            _("%(company)s is not a designated company: support cases are for designated companies.")
            % {"company": company.name_ko},
            [ErrorDetail(message=_("Not a designated company."), field="company", value=company.brn)],
            code="not_designated",
        )
    if active_cases().filter(company=company).exists():
        raise Conflict(_("This company already has an open support case."), code="case_exists")
    case = SupportCase.objects.create(
        company=company,
        membership=membership,
        level=level,
        state=CASE_WORKFLOW.initial,
        due_on=due_on or _due_on(rules_mod.current_config()),
        summary=summary,
        opened_at=timezone.now(),
    )
    audit_record_many(
        actor=acting_user,
        items=[
            _opened(
                case_id=case.pk,
                company_id=company.pk,
                membership_id=case.membership_id,
                level=level,
                due_on=case.due_on,
                summary=summary,
            )
        ],
    )
    _tell_opened(case, acting_user=acting_user)
    return case


def _tell_opened(case: SupportCase, *, acting_user: User | None) -> None:
    """The group learns of a case opened by hand; the company that the support group will be in touch (no
    level or score: those stay internal)."""
    notify(
        recipients=notices.without(notices.support_group(), acting_user),
        kind="monitoring.case_opened",
        title=gettext_noop("Support case #%(case)s opened for %(company)s"),
        params={"case": case.pk, "company": case.company.name_ko},
        link=reverse("monitoring:case_detail", args=[case.pk]),
        dedupe_key=f"case-opened:{case.pk}",
    )
    tell_company_case_opened(company_id=case.company_id, case_id=case.pk)


def tell_company_case_opened(*, company_id: int, case_id: int, recipients: list[User] | None = None) -> int:
    """Tell a company's representatives (`recipients` when already read) that the support group opened a case
    for it (once per case)."""
    return notify(
        recipients=notices.company_reps(company_id) if recipients is None else recipients,
        kind="monitoring.case_opened",
        title=gettext_noop("The Financial Difficulty Support Group will contact you"),
        body=gettext_noop(
            "The support group has opened a support case to help your company (case %(case)s). A member of the"
            " group will contact you; you can also tell us what you need in the monthly status survey."
        ),
        params={"case": case_id},
        link=reverse("monitoring:survey_list"),
        dedupe_key=f"case-opened:{case_id}",
    )


def cases_open_for_results(
    *, run: InspectionRun, lo: int, hi: int, cfg: rules_mod.RuleConfig
) -> list[AuditItem]:
    """Open a case for each company of an inspection chunk (company ids lo..hi, results just written) at the
    case level that has no active case, pointing at its result: one INSERT … SELECT, so the check for an
    active case is made by the same statement. Runs in the chunk's transaction; returns the audit entries of
    the cases opened (the caller appends them with the chunk's own)."""
    levels = [lv for lv, rank in rules_mod.LEVEL_RANK.items() if rank >= rules_mod.LEVEL_RANK[cfg.case_level]]
    due, now = _due_on(cfg), timezone.now()
    results = (
        InspectionResult.objects.filter(
            run=run, period=run.period, company_id__gte=lo, company_id__lte=hi, level__in=levels
        )
        .filter(~Exists(active_cases().filter(company_id=OuterRef("company_id"))))
        .order_by()
        .values(
            "company_id",
            "membership_id",
            "id",
            "level",
            s=Value(CASE_WORKFLOW.initial),
            d=Value(due),
            t=Concat(Value(f"inspection {run.period}: "), F("level")),
            o=Value(now),
        )
    )
    made = bulk.insert_select(
        SupportCase,
        ("company_id", "membership_id", "opened_from_id", "level", "state", "due_on", "summary", "opened_at"),
        results,
        returning=("id", "company_id", "membership_id", "level"),
    )
    reason = f"inspection {run.period}"
    return [
        _opened(case_id=c, company_id=co, membership_id=m, level=lv, due_on=due, reason=reason)
        for c, co, m, lv in sorted(made)
    ]


# ---------------------------------------------------------------- working on a case


@transaction.atomic
def case_assign(
    *, case: SupportCase, owner: User | None, due_on: dt.date | None, acting_user: User
) -> SupportCase:
    _require_group(acting_user)
    if owner is not None and not has_role(owner, MONITORING_ACTORS):
        raise ValidationFailed(
            _("The owner must be a member of the support group."),
            [ErrorDetail(message=_("Support group only."), field="owner")],
            code="bad_owner",
        )
    if case.state == "closed":
        raise _closed()
    before = snapshot(case, ["owner_id", "due_on"])
    case.owner = owner
    case.due_on = due_on
    case.save(update_fields=["owner", "due_on"])
    audit_record(
        actor=acting_user,
        action="support_case.assign",
        obj=case,
        changes=diff(before, snapshot(case, before)),
    )
    if owner is not None and owner.pk != before["owner_id"] and owner.pk != acting_user.pk:
        notify(
            recipients=[owner],
            kind="monitoring.case_assigned",
            title=gettext_noop("Support case #%(case)s for %(company)s was assigned to you"),
            body=gettext_noop("Due date: %(due)s."),
            params={"case": case.pk, "company": case.company.name_ko, "due": str(case.due_on or "—")},
            link=reverse("monitoring:case_detail", args=[case.pk]),
        )
    return case


@transaction.atomic
def case_action_add(
    *,
    case: SupportCase,
    kind: str,
    note: str,
    acting_user: User,
    institution: Institution | None = None,
) -> CaseAction:
    text_check(note=note)
    _require_group(acting_user)
    if kind not in CaseAction.Kind.values:
        raise ValidationFailed(
            _("Unknown action %(kind)s.") % {"kind": kind},
            [ErrorDetail(message=_("Choose an action."), field="kind")],
        )
    if not note.strip():
        raise ValidationFailed(
            _("Describe the action."), [ErrorDetail(message=_("This field is required."), field="note")]
        )
    if case.state == "closed":
        raise _closed()
    action = CaseAction.objects.create(
        case=case, kind=kind, note=note.strip(), institution=institution, at=timezone.now(), by=acting_user
    )
    changes: dict[str, Any] = {
        "action_id": action.pk,
        "kind": kind,
        "note": action.note,
        "institution_id": institution.pk if institution else None,
    }
    audit_record(actor=acting_user, action="support_case.action", obj=case, changes=created(changes))
    return action


def case_transition(*, case: SupportCase, transition: str, reason: str, acting_user: User) -> SupportCase:
    text_check(reason=reason)
    try:
        CASE_WORKFLOW.transition(transition)
    except KeyError as exc:
        raise NotFound(_("Unknown transition %(name)s.") % {"name": transition}) from exc
    try:
        with transaction.atomic():
            workflow_transition(
                obj=case,
                workflow=CASE_WORKFLOW,
                transition=transition,
                acting_user=acting_user,
                reason=reason,
            )
    except IntegrityError as exc:
        raise Conflict(_("The company already has another active case."), code="case_exists") from exc
    return case
