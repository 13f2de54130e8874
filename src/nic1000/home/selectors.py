"""What each role has to do now: one function per role, each returning the lines of its home page.

A line says what waits (with a count), by when (a deadline, when there is one), how urgent it is and which page
does it (an existing page, with its filters where it has them). Every function runs a fixed number of queries
whatever the size of the programme: counts are aggregates, lists of rounds are bounded by `MAX_ROUNDS`.
Scoping follows each app's rules: a ministry officer counts only its body's nominations, an institution officer
only its institution's applications, a company only its own company, an evaluator only its own assignments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from nic1000.accounts.models import User
from nic1000.appeals.selectors import appeals_to_decide
from nic1000.audit.models import AuditEntry, ChainVerification
from nic1000.calls.models import CallApplication
from nic1000.calls.workflows import APPLICATION as CALL_APPLICATION
from nic1000.core.models import NotificationDelivery
from nic1000.core.roles import Role
from nic1000.designations.models import Membership
from nic1000.finance.models import Application
from nic1000.monitoring.models import (
    AlertLevel,
    DifficultySurvey,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    SupportCase,
)
from nic1000.monitoring.periods import due_fiscal_year, half_of, period_of
from nic1000.monitoring.selectors import latest_period
from nic1000.registry.models import FinancialStatement
from nic1000.rounds.models import Assignment, Candidacy, CommitteeDecision, Nomination, Quota, Review, Round
from nic1000.rounds.workflows import RoundState

NORMAL = "normal"
SOON = "soon"  # a deadline within SOON_DAYS
LATE = "late"  # past its deadline
SOON_DAYS = 7
MAX_ROUNDS = 5  # rounds under way at once (in practice one or two)
RECENT_DAYS = 30  # the auditor's window of sensitive actions
OPEN_CASE_STATES = ("open", "in_progress")
ACTIVE_ROUND_STATES = (RoundState.NOMINATING, RoundState.EVALUATING, RoundState.SELECTING)

# Sensitive actions the auditor reviews, by action prefix: (prefix, label msgid).
SENSITIVE_ACTIONS: tuple[tuple[str, Promise], ...] = (
    ("publication.", gettext_lazy("Publications")),
    ("removal.", gettext_lazy("Removals")),
    ("membership.remove", gettext_lazy("Designations ended")),
    ("user.create", gettext_lazy("Accounts created (roles granted)")),
    ("user.role", gettext_lazy("Role changes")),
    ("user.2fa_reset", gettext_lazy("Second-factor resets")),
    ("program_setting.", gettext_lazy("Programme settings changed")),
    ("finance_api_token.", gettext_lazy("Institution API tokens")),
    ("audit.", gettext_lazy("Audit trail verified or exported")),
)


@dataclass(frozen=True)
class Line:
    """One thing to do: `count` None for a line that is information (a stage, a designation)."""

    label: str
    url: str
    count: int | None = None
    deadline: dt.datetime | dt.date | None = None
    urgency: str = NORMAL
    note: str = ""


def urgency_of(deadline: dt.datetime | dt.date | None, *, now: dt.datetime) -> str:
    if deadline is None:
        return NORMAL
    if isinstance(deadline, dt.datetime):
        left = deadline - now
    else:
        left = dt.datetime.combine(deadline, dt.time.max, tzinfo=now.tzinfo) - now
    if left.total_seconds() < 0:
        return LATE
    return SOON if left <= dt.timedelta(days=SOON_DAYS) else NORMAL


def _url(name: str, query: str = "", **kwargs: object) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return f"{url}?{query}" if query else url


def _round_deadline(r: Round) -> dt.datetime | None:
    if r.state == RoundState.NOMINATING:
        return r.nominations_close_at
    if r.state == RoundState.EVALUATING:
        return r.scoring_deadline
    return None


def _active_rounds() -> list[Round]:
    return list(
        Round.objects.filter(state__in=ACTIVE_ROUND_STATES)
        .annotate(decided=Exists(CommitteeDecision.objects.filter(round=OuterRef("pk"))))
        .order_by("number")[:MAX_ROUNDS]
    )


# ---------------------------------------------------------------------------------------------- programme office


def office_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """Rounds under way (stage, next deadline), candidacies short of evaluators, late reviews, decisions and
    publications waiting, inspections pending or running, support cases past due."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lines: list[Line] = []
    rounds = _active_rounds()
    ids = [r.pk for r in rounds]
    # Active assignments per candidacy, against the round's evaluators per candidacy.
    assigned = (
        Assignment.objects.filter(candidacy=OuterRef("pk"), active=True)
        .order_by()
        .values("candidacy")
        .annotate(n=Count("id"))
        .values("n")
    )
    short = dict(
        Candidacy.objects.filter(
            round_id__in=ids, round__state__in=(RoundState.NOMINATING, RoundState.EVALUATING), eligible=True
        )
        .annotate(n=Coalesce(Subquery(assigned, output_field=IntegerField()), Value(0)))
        .filter(n__lt=F("round__settings__reviews_per_candidacy"))
        .order_by()
        .values_list("round_id")
        .annotate(c=Count("id"))
    )
    late = dict(
        Assignment.objects.filter(
            round_id__in=ids,
            round__state=RoundState.EVALUATING,
            round__scoring_deadline__lt=now,
            active=True,
        )
        .exclude(review__state=Review.State.SUBMITTED)
        .order_by()
        .values_list("round_id")
        .annotate(c=Count("id"))
    )
    for r in rounds:
        deadline = _round_deadline(r)
        lines.append(
            Line(
                label=_("%(round)s: %(stage)s") % {"round": r.name, "stage": r.get_state_display()},
                url=_url("rounds:detail", pk=r.pk),
                deadline=deadline,
                urgency=urgency_of(deadline, now=now),
            )
        )
        if short.get(r.pk):
            lines.append(
                Line(
                    label=_("%(round)s: candidacies without enough evaluators") % {"round": r.name},
                    url=_url("rounds:assignments", pk=r.pk),
                    count=short[r.pk],
                    urgency=SOON,
                )
            )
        if late.get(r.pk):
            lines.append(
                Line(
                    label=_("%(round)s: reviews past the scoring deadline") % {"round": r.name},
                    url=_url("rounds:review_status", pk=r.pk),
                    count=late[r.pk],
                    deadline=r.scoring_deadline,
                    urgency=LATE,
                )
            )
        if r.state == RoundState.SELECTING:
            label = (
                _("%(round)s: the selection is decided, publication awaits")
                if getattr(r, "decided", False)
                else _("%(round)s: the committee's selection decision awaits")
            )
            lines.append(Line(label=label % {"round": r.name}, url=_url("rounds:results", pk=r.pk), count=1))
    runs = InspectionRun.objects.filter(
        status__in=(InspectionRun.Status.PENDING, InspectionRun.Status.RUNNING)
    ).count()
    lines.append(Line(label=_("Inspections pending or running"), url=_url("monitoring:run_list"), count=runs))
    lines += _cases_due(today=today, now=now, include_soon=False)
    lines.append(_appeals_waiting(user))
    failed = NotificationDelivery.objects.filter(status=NotificationDelivery.Status.FAILED).count()
    lines.append(
        Line(
            label=_("E-mails that could not be sent"),
            url=_url("activity:outbox", "status=failed"),
            count=failed,
            urgency=LATE if failed else NORMAL,
        )
    )
    return lines


def _appeals_waiting(user: User) -> Line:
    """Appeals this user's body must decide (the office's, or an institution's refusals), not yet decided."""
    waiting = appeals_to_decide(user=user).count()
    return Line(
        label=_("Appeals waiting for a decision"), url=_url("appeals:queue"), count=waiting, urgency=SOON
    )


def _cases_due(*, today: dt.date, now: dt.datetime, include_soon: bool) -> list[Line]:
    """Open support cases past their due date (and, for the support group, due within a week)."""
    soon = today + dt.timedelta(days=SOON_DAYS)
    agg = SupportCase.objects.filter(state__in=OPEN_CASE_STATES, due_on__isnull=False).aggregate(
        past=Count("id", filter=Q(due_on__lt=today)),
        soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
        first_soon=Min("due_on", filter=Q(due_on__gte=today)),
        first_past=Min("due_on", filter=Q(due_on__lt=today)),
    )
    url = _url("monitoring:case_list")
    lines = [
        Line(
            label=_("Support cases past their due date"),
            url=url,
            count=agg["past"],
            deadline=agg["first_past"],
            urgency=LATE if agg["past"] else NORMAL,
        )
    ]
    if include_soon:
        lines.append(
            Line(
                label=_("Support cases due within a week"),
                url=url,
                count=agg["soon"],
                deadline=agg["first_soon"],
                urgency=urgency_of(agg["first_soon"], now=now) if agg["soon"] else NORMAL,
            )
        )
    return lines


# ---------------------------------------------------------------------------------------------- ministry officer


def ministry_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """The nomination window of each round taking nominations (closing date, places left in the body's quota)
    and the body's nominations in rounds under way by state."""
    now = now or timezone.now()
    body = user.body
    if body is None:
        return []
    lines: list[Line] = []
    rounds = _active_rounds()
    ids = [r.pk for r in rounds]
    quotas = dict(
        Quota.objects.filter(round_id__in=ids, family=Quota.Family.BODY, key=body.code).values_list(
            "round_id", "max_count"
        )
    )
    mine = {
        row["candidacy__round_id"]: row
        for row in Nomination.objects.filter(body_id=body.pk, candidacy__round_id__in=ids)
        .order_by()
        .values("candidacy__round_id")
        .annotate(
            total=Count("id"),
            ineligible=Count("id", filter=Q(candidacy__eligible=False)),
            selected=Count("id", filter=Q(candidacy__selected=True)),
        )
    }
    for r in rounds:
        row = mine.get(r.pk, {"total": 0, "ineligible": 0, "selected": 0})
        if r.state == RoundState.NOMINATING:
            deadline = r.nominations_close_at
            lines.append(
                Line(
                    label=_("%(round)s: nominations are open") % {"round": r.name},
                    url=_url("rounds:nominate", pk=r.pk),
                    deadline=deadline,
                    urgency=urgency_of(deadline, now=now),
                )
            )
            cap = quotas.get(r.pk)
            if cap is not None:
                lines.append(
                    Line(
                        label=_("%(round)s: places in your body's quota not yet nominated for")
                        % {"round": r.name},
                        url=_url("rounds:nominate", pk=r.pk),
                        count=max(cap - row["total"], 0),
                        note=_("quota %(cap)s, nominated %(n)s") % {"cap": cap, "n": row["total"]},
                    )
                )
        url = _url("rounds:nominations", pk=r.pk)
        lines.append(
            Line(
                label=_("%(round)s: your body's nominations") % {"round": r.name},
                url=url,
                count=row["total"],
                note=_("%(ineligible)s ineligible, %(selected)s selected")
                % {"ineligible": row["ineligible"], "selected": row["selected"]},
            )
        )
    to_screen = CallApplication.objects.filter(
        call__body_id=user.body_id or 0, state=CALL_APPLICATION.initial
    ).count()
    lines.append(
        Line(
            label=_("Applications to your calls waiting to be screened"),
            url=_url("calls:list", "scope=mine"),
            count=to_screen,
        )
    )
    return lines


# ---------------------------------------------------------------------------------------------- evaluator


def evaluator_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """Assignments to score (with the earliest scoring deadline) and drafts not yet submitted."""
    now = now or timezone.now()
    agg = Assignment.objects.filter(
        evaluator__user_id=user.pk, active=True, round__state=RoundState.EVALUATING
    ).aggregate(
        to_score=Count("id", filter=~Q(review__state=Review.State.SUBMITTED)),
        drafts=Count("id", filter=Q(review__state=Review.State.DRAFT)),
        deadline=Min("round__scoring_deadline", filter=~Q(review__state=Review.State.SUBMITTED)),
    )
    url = _url("rounds:my_assignments")
    deadline = agg["deadline"]
    return [
        Line(
            label=_("Candidacies to score"),
            url=url,
            count=agg["to_score"],
            deadline=deadline,
            urgency=urgency_of(deadline, now=now) if agg["to_score"] else NORMAL,
        ),
        Line(label=_("Reviews saved as drafts, not submitted"), url=url, count=agg["drafts"]),
    ]


# ---------------------------------------------------------------------------------------------- institution officer


def institution_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """Applications newly routed to the institution, information requests the company answered, approved
    applications not yet disbursed (earliest date the money is needed)."""
    now = now or timezone.now()
    if not user.institution_id:
        return []
    answered = Q(state="under_review") & ~Q(company_reply="")
    agg = Application.objects.filter(institution_id=user.institution_id).aggregate(
        new=Count("id", filter=Q(state="submitted")),
        answered=Count("id", filter=answered),
        to_disburse=Count("id", filter=Q(state="approved")),
        needed_by=Min("needed_by", filter=Q(state="approved")),
    )
    url = "finance:application_list"
    return [
        Line(label=_("Applications newly routed to you"), url=_url(url, "state=submitted"), count=agg["new"]),
        Line(
            label=_("Information requests the company answered"),
            url=_url(url, "state=under_review"),
            count=agg["answered"],
        ),
        Line(
            label=_("Approved applications not yet disbursed"),
            url=_url(url, "state=approved"),
            count=agg["to_disburse"],
            deadline=agg["needed_by"],
            urgency=urgency_of(agg["needed_by"], now=now) if agg["to_disburse"] else NORMAL,
        ),
        _appeals_waiting(user),
    ]


# ---------------------------------------------------------------------------------------------- company


def company_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """Applications waiting for the company's information, the statements and monthly survey due (for a
    designated company) and its designation."""
    now = now or timezone.now()
    company_id = user.company_id
    if not company_id:
        return []
    lines = [
        Line(
            label=_("Applications waiting for your information"),
            url=_url("finance:application_list", "state=info_requested"),
            count=Application.objects.filter(company_id=company_id, state="info_requested").count(),
        )
    ]
    membership = (
        Membership.objects.filter(company_id=company_id, status=Membership.Status.ACTIVE)
        .select_related("round", "body")
        .first()
    )
    if membership is not None:
        period = period_of(now)
        year = due_fiscal_year(period)
        has_statement = FinancialStatement.objects.filter(company_id=company_id, fiscal_year=year).exists()
        lines.append(
            Line(
                label=_("Financial statements for %(year)s") % {"year": year},
                url=_url("monitoring:statements"),
                count=0 if has_statement else 1,
            )
        )
        has_survey = MonthlySurvey.objects.filter(company_id=company_id, period=period).exists()
        lines.append(
            Line(
                label=_("Monthly status survey for %(period)s") % {"period": period},
                url=_url("monitoring:monthly_survey"),
                count=0 if has_survey else 1,
            )
        )
        half = half_of(timezone.localdate(now))
        has_difficulty = DifficultySurvey.objects.filter(company_id=company_id, half=half).exists()
        lines.append(
            Line(
                label=_("Six-monthly difficulty survey for %(half)s") % {"half": half},
                url=_url("monitoring:difficulty_survey"),
                count=0 if has_difficulty else 1,
            )
        )
        lines.append(
            Line(
                label=_("Designated in %(round)s, nominated by %(body)s")
                % {"round": membership.round.name, "body": membership.body.name_ko},
                url=_url("registry:company_detail", pk=company_id),
                deadline=membership.selected_on,
                note=pgettext("designated", "since"),
            )
        )
    lines.append(Line(label=_("Your company's profile, patents and technologies"),
                      url=_url("registry:company_detail", pk=company_id)))  # fmt: skip
    return lines


# ---------------------------------------------------------------------------------------------- support group


def support_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """Companies at warning or critical in the latest inspection with no open case, and cases due or past due."""
    now = now or timezone.now()
    period = latest_period()
    open_case = SupportCase.objects.filter(company_id=OuterRef("company_id"), state__in=OPEN_CASE_STATES)
    warnings = (
        InspectionResult.objects.filter(
            period=period or "", level__in=(AlertLevel.WARNING, AlertLevel.CRITICAL)
        )
        .exclude(Exists(open_case))
        .count()
        if period
        else 0
    )
    lines = [
        Line(
            label=_("Warnings without a support case"),
            url=_url("monitoring:dashboard", "level=warning"),
            count=warnings,
            note=_("latest inspection %(period)s") % {"period": period} if period else "",
        )
    ]
    return lines + _cases_due(today=timezone.localdate(now), now=now, include_soon=True)


# ---------------------------------------------------------------------------------------------- auditor


def auditor_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """The last verification of the chain (when, result) and the sensitive actions of the last 30 days by
    kind."""
    now = now or timezone.now()
    last = ChainVerification.objects.order_by("-at", "-id").first()
    verify_url = _url("audit:verify")
    if last is None:
        lines = [Line(label=_("The audit chain has never been verified here"), url=verify_url, count=1,
                      urgency=SOON)]  # fmt: skip
    else:
        label = (
            _("Last chain verification: intact (%(rows)s rows)")
            if last.ok
            else _("Last chain verification found problems from row %(seq)s")
        )
        lines = [
            Line(
                label=label % {"rows": last.rows_checked, "seq": last.first_bad_seq},
                url=verify_url,
                deadline=last.at,
                urgency=NORMAL if last.ok else LATE,
            )
        ]
    since = now - dt.timedelta(days=RECENT_DAYS)
    counts = AuditEntry.objects.filter(at__gte=since).aggregate(
        **{
            f"n{i}": Count("id", filter=Q(action__startswith=prefix))
            for i, (prefix, _label) in enumerate(SENSITIVE_ACTIONS)
        }
    )
    day = timezone.localdate(since).isoformat()
    for i, (prefix, what) in enumerate(SENSITIVE_ACTIONS):
        lines.append(
            Line(
                label=str(what),
                url=_url("audit:list", f"action={prefix}&since={day}"),
                count=counts[f"n{i}"],
                note=_("last %(days)s days") % {"days": RECENT_DAYS},
            )
        )
    return lines


ROLE_LINES: dict[str, Callable[..., list[Line]]] = {
    Role.PROGRAM_OFFICE: office_lines,
    Role.MINISTRY_OFFICER: ministry_lines,
    Role.EVALUATOR: evaluator_lines,
    Role.INSTITUTION_OFFICER: institution_lines,
    Role.COMPANY: company_lines,
    Role.SUPPORT_GROUP: support_lines,
    Role.AUDITOR: auditor_lines,
}


def home_lines(*, user: User, now: dt.datetime | None = None) -> list[Line]:
    """The user's role's lines: things waiting first (late, then soon), then the rest in their order."""
    fn = ROLE_LINES.get(user.role)
    if fn is None:
        return []
    lines = fn(user=user, now=now)
    rank = {LATE: 0, SOON: 1, NORMAL: 2}
    return sorted(lines, key=lambda ln: 3 if ln.count == 0 else rank[ln.urgency])
