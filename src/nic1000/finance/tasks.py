"""Scheduled work of policy finance, run by `nic1000 worker` through `core.schedule` (registered in
`FinanceConfig.ready`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from nic1000.finance import notices
from nic1000.finance.models import Application
from nic1000.finance.workflows import DISBURSED_STATES

DUE_WITHIN_DAYS = 7


def repayment_due(*, now: dt.datetime) -> int:
    """Tell the company's representatives when an outstanding balance falls due within DUE_WITHIN_DAYS (or is
    past due and still unpaid). Idempotent: one notification per recipient, application and due date, however
    often it runs. Returns the number of applications looked at."""
    today = timezone.localdate(now)
    due = (
        Application.objects.filter(
            state__in=DISBURSED_STATES,
            maturity_on__isnull=False,
            maturity_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
            disbursed_total__gt=F("repaid_total"),
        )
        .select_related("company", "institution")
        .order_by("maturity_on", "id")
    )
    n = 0
    for app in due.iterator(chunk_size=500):
        if app.maturity_on is not None:
            notices.repayment_due(app, due=app.maturity_on)
            n += 1
    return n
