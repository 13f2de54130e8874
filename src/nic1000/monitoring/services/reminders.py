"""Monitoring's scheduled reminders (registered in `MonitoringConfig.ready`, run daily by `nic1000 worker`).

Each takes the day it runs for and returns how many people were newly told. They are idempotent: every message
carries a dedupe key per recipient, object and period, and `notices.notify_new` leaves out whoever already has
it, so a second run on the same day (or a worker retrying) sends nothing new.

* statements: reminded before their due date, chased once overdue (`chasing.statements_follow_up`);
* monthly surveys: in the last `SURVEY_REMIND_DAYS` days of a month the companies that have not answered it are
  reminded (`monitoring.survey_due`); in the following month those still without it are told it is overdue
  (`monitoring.survey_overdue`), once;
* support cases past their due date: the owner is told, or the whole support group when nobody owns the case
  (`monitoring.case_due`), once per case and due date (a new due date is a new reminder).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_noop

from nic1000.monitoring.selectors import month_bounds, survey_non_responders
from nic1000.monitoring.services.cases import active_cases
from nic1000.monitoring.services.chasing import statements_follow_up
from nic1000.monitoring.services.notices import already_told, notify_new, reps_by_company, support_group

SURVEY_REMIND_DAYS = 7

__all__ = ["cases_follow_up", "statements_follow_up", "survey_tell", "surveys_follow_up"]


def _previous(period: str) -> str:
    first, _last = month_bounds(period)
    before = first - dt.timedelta(days=1)
    return f"{before:%Y-%m}"


def survey_tell(*, period: str, overdue: bool, key_prefix: str) -> tuple[int, int]:
    """Tell the representatives of the active companies that have not answered `period`'s survey. Returns
    (companies without an answer, representatives newly told); keys are `<key_prefix>:<company>:<period>`."""
    companies = list(
        survey_non_responders(user=None, period=period, active_only=True).values_list("company_id", flat=True)
    )
    reps = reps_by_company(companies)
    keys = {c: f"{key_prefix}:{c}:{period}" for c in reps}
    sent = already_told(list(keys.values()))
    link = reverse("monitoring:monthly_survey")
    told = 0
    for company_id, users in reps.items():
        if overdue:
            told += notify_new(
                recipients=users,
                kind="monitoring.survey_overdue",
                title=gettext_noop("The monthly status survey for %(period)s is overdue"),
                body=gettext_noop(
                    "Your company has not answered the monthly status survey for %(period)s. Please fill it in:"
                    " the support group reads it to offer help in time."
                ),
                params={"period": period},
                link=link,
                dedupe_key=keys[company_id],
                sent=sent,
            )
        else:
            told += notify_new(
                recipients=users,
                kind="monitoring.survey_due",
                title=gettext_noop("Please answer the monthly status survey for %(period)s"),
                body=gettext_noop("The monthly status survey for %(period)s is due by the end of the month."),
                params={"period": period},
                link=link,
                dedupe_key=keys[company_id],
                sent=sent,
            )
    return len(companies), told


def surveys_follow_up(*, today: dt.date) -> int:
    period = f"{today:%Y-%m}"
    _first, last = month_bounds(period)
    told = survey_tell(period=_previous(period), overdue=True, key_prefix="survey-overdue")[1]
    if (last - today).days < SURVEY_REMIND_DAYS:
        told += survey_tell(period=period, overdue=False, key_prefix="survey-due")[1]
    return told


def cases_follow_up(*, today: dt.date) -> int:
    late = list(active_cases().filter(due_on__lt=today).select_related("company", "owner").order_by("pk"))
    keys = {c.pk: f"case-due:{c.pk}:{c.due_on}" for c in late}
    sent = already_told(list(keys.values()))
    group = support_group() if any(c.owner is None or not c.owner.is_active for c in late) else []
    told = 0
    for case in late:
        owner = case.owner if case.owner is not None and case.owner.is_active else None
        told += notify_new(
            recipients=[owner] if owner is not None else group,
            kind="monitoring.case_due",
            title=gettext_noop("Support case #%(case)s for %(company)s was due on %(due)s"),
            body=gettext_noop("The case is still open after its due date: act on it or set a new due date."),
            params={"case": case.pk, "company": case.company.name_ko, "due": str(case.due_on)},
            link=reverse("monitoring:case_detail", args=[case.pk]),
            dedupe_key=keys[case.pk],
            sent=sent,
        )
    return told
