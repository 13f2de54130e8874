"""Background work of monitoring (Django Tasks, django-tasks-db backend; run by `nic1000 worker`).

The inspection task only calls the service (the inspection, then its explanation phase); the monthly schedule
(`inspection_schedule_due`) is checked by the worker and enqueues the month's inspection once, re-enqueueing a
run that was interrupted, in either phase."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from nic1000.accounts.models import User
from nic1000.monitoring import claims
from nic1000.monitoring.models import InspectionRun
from nic1000.monitoring.periods import period_of
from nic1000.monitoring.services import reminders
from nic1000.monitoring.services.inspections import (
    inspection_run,
    inspection_run_request,
    inspection_task_set,
)

log = logging.getLogger(__name__)


@task()
def inspection_task(
    period: str, trigger: str = "on_demand", requested_by_id: int | None = None
) -> dict[str, Any]:
    user = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    run = inspection_run(period=period, trigger=trigger, acting_user=user)
    return {"period": run.period, "status": run.status, "processed": run.processed, "counts": run.counts}


def inspection_enqueue(*, period: str, acting_user: User | None, trigger: str = "on_demand") -> InspectionRun:
    """Create the run row and enqueue its task after the transaction commits."""
    run = inspection_run_request(period=period, acting_user=acting_user, trigger=trigger)
    if _finished(run):
        return run
    requested_by_id = acting_user.pk if acting_user is not None else None

    def _enqueue() -> None:
        result = inspection_task.enqueue(period=period, trigger=trigger, requested_by_id=requested_by_id)
        inspection_task_set(run=run, task_id=str(result.id))

    transaction.on_commit(_enqueue)
    return run


def _finished(run: InspectionRun) -> bool:
    return run.status == InspectionRun.Status.DONE and run.explained_at is not None


def _task_waiting(task_id: str) -> bool:
    """The run's task is queued and not yet picked up (a RUNNING task of a killed worker does not count)."""
    if not task_id:
        return False
    try:
        result = inspection_task.get_result(task_id)
    except Exception:
        return False
    return result.status == TaskResultStatus.READY


def _failed_recently(run: InspectionRun, now: dt.datetime) -> bool:
    """A run that failed (an exception, e.g. no usable model) is retried after a pause, not every minute."""
    retry = int(settings.NIC1000_INSPECTION_RETRY_SECONDS)
    return (
        (run.status == InspectionRun.Status.FAILED or bool(run.error))
        and run.heartbeat_at is not None
        and run.heartbeat_at > now - dt.timedelta(seconds=retry)
    )


def inspection_schedule_due(*, now: dt.datetime | None = None) -> InspectionRun | None:
    """Enqueue this month's inspection when it is due: not finished (inspected and explained), no task waiting
    for it, no live claim. A run interrupted by a killed worker (stale claim, finished or vanished task) is
    enqueued again and resumes where it stopped."""
    now = now or timezone.now()
    period = period_of(now)
    run = InspectionRun.objects.filter(period=period).first()
    if run is not None and (
        _finished(run) or _task_waiting(run.task_id) or claims.is_live(run, now) or _failed_recently(run, now)
    ):
        return None
    log.info("enqueueing the monthly inspection of %s", period)
    return inspection_enqueue(period=period, acting_user=None, trigger=InspectionRun.Trigger.MONTHLY)


# ---------------------------------------------------------------- daily reminders (core.schedule)


def statements_due(*, now: dt.datetime) -> int:
    """Statements due soon (a reminder) or overdue (a chase), once per company and fiscal year."""
    return reminders.statements_follow_up(today=timezone.localdate(now))


def surveys_due(*, now: dt.datetime) -> int:
    """This month's survey near its end (a reminder), last month's still unanswered (overdue), once each."""
    return reminders.surveys_follow_up(today=timezone.localdate(now))


def cases_due(*, now: dt.datetime) -> int:
    """Support cases past their due date: the owner (or the group) told once per due date."""
    return reminders.cases_follow_up(today=timezone.localdate(now))
