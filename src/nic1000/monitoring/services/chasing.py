"""Asking companies for their financial statements: a reminder before they are due, a chase once overdue.

Statements for fiscal year Y are due by the end of the rule's due month of Y+1 (`statements_due_on`). From
`STATEMENT_REMIND_DAYS` before that day the representatives of active companies without them are reminded
(`monitoring.statement_due`), once per company and year; after it they are chased (`statement_missing`), once per
company and year. The daily job (`services.reminders.statements_follow_up`) and the monthly inspection use the
same dedupe keys, so however often either runs a representative gets each message once.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.designations.selectors import active_memberships
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.periods import due_fiscal_year, period_validate
from nic1000.monitoring.services.notices import already_told, notify_new, reps_by_company
from nic1000.registry.models import FinancialStatement

STATEMENT_REMIND_DAYS = 30


def statements_due_on(fiscal_year: int, cfg: rules_mod.RuleConfig | None = None) -> dt.date:
    """The last day of the due month of the year after `fiscal_year`."""
    cfg = cfg or rules_mod.current_config()
    year, month = fiscal_year + 1, cfg.statement_due_month
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _missing(fiscal_year: int) -> list[int]:
    have = FinancialStatement.objects.filter(fiscal_year=fiscal_year).values_list("company_id", flat=True)
    return list(
        active_memberships()
        .exclude(company_id__in=have)
        .order_by("company_id")
        .values_list("company_id", flat=True)
    )


def _tell(*, fiscal_year: int, overdue: bool) -> tuple[int, int]:
    """(companies without the year's statements, representatives newly told)."""
    missing = _missing(fiscal_year)
    reps = reps_by_company(missing)
    prefix = "statement-missing" if overdue else "statement-due"
    keys = {c: f"{prefix}:{c}:{fiscal_year}" for c in reps}
    sent = already_told(list(keys.values()))
    link = reverse("monitoring:statements")
    due = statements_due_on(fiscal_year)
    told = 0
    for company_id, users in reps.items():
        if overdue:
            told += notify_new(
                recipients=users,
                kind="statement_missing",
                title=gettext_noop("Please submit your financial statements for fiscal year %(year)s"),
                body=gettext_noop(
                    "Statement request: please submit your financial statements for fiscal year %(year)s."
                ),
                params={"year": fiscal_year},
                link=link,
                dedupe_key=keys[company_id],
                sent=sent,
            )
        else:
            told += notify_new(
                recipients=users,
                kind="monitoring.statement_due",
                title=gettext_noop("Financial statements for fiscal year %(year)s are due by %(due)s"),
                body=gettext_noop(
                    "Please submit your financial statements for fiscal year %(year)s by %(due)s. Companies"
                    " without them are asked again once the date has passed."
                ),
                params={"year": fiscal_year, "due": due.isoformat()},
                link=link,
                dedupe_key=keys[company_id],
                sent=sent,
            )
    return len(missing), told


def statements_chase(*, fiscal_year: int, acting_user: User | None = None) -> int:
    """Chase the representatives of active companies without statements for `fiscal_year` (overdue), once per
    company and year. Returns the companies without them.

    `acting_user` is who triggered the chase (the inspection's requester, or None for the schedule); the
    notifications themselves are not audited."""
    return _tell(fiscal_year=fiscal_year, overdue=True)[0]


def statements_remind(*, fiscal_year: int) -> int:
    """Remind the representatives of active companies without statements for `fiscal_year` before they are
    due, once per company and year. Returns the representatives newly told."""
    return _tell(fiscal_year=fiscal_year, overdue=False)[1]


def statements_follow_up(*, today: dt.date) -> int:
    """The daily job's work: the overdue year chased, the coming year reminded from its reminder window on.
    Returns the representatives newly told."""
    this_year = today.year - 1
    due = statements_due_on(this_year)
    if today > due:
        return _tell(fiscal_year=this_year, overdue=True)[1]
    told = _tell(fiscal_year=this_year - 1, overdue=True)[1]
    if (due - today).days < STATEMENT_REMIND_DAYS:
        told += statements_remind(fiscal_year=this_year)
    return told


def statements_ask_for_period(*, period: str, acting_user: User | None = None) -> int:
    """The inspection's ask for `period` (YYYY-MM): in the due month the year being filed is a reminder, after
    it a chase (the dedupe keys are the daily job's). Returns the companies without the year asked for."""
    cfg = rules_mod.current_config()
    year, month = period_validate(period)
    fiscal_year = due_fiscal_year(period, cfg)
    if fiscal_year == year - 1 and month == cfg.statement_due_month:
        missing, _told = _tell(fiscal_year=fiscal_year, overdue=False)
        return missing
    return statements_chase(fiscal_year=fiscal_year, acting_user=acting_user)
