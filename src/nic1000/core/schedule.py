"""Jobs that run on a schedule (reminders, chases), registered by each app and run by `nic1000 worker`.

An app registers its jobs in its `AppConfig.ready()` with a dotted path, so registering imports nothing:
    register_job("rounds.review_reminders", "daily", "nic1000.rounds.tasks.review_reminders_due")
The job is called as `func(now=<aware datetime>)` and returns something short to record (a count).
A daily job runs once per Seoul calendar day from `at_hour` on; an hourly job once per hour. The claim is a row in
`ScheduledRun` (unique per job and slot), so any number of workers on one database run each slot once; a job that
fails keeps its row with the error and is tried again in the next slot (jobs are idempotent: their notifications
carry dedupe keys)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from nic1000.core.models import ScheduledRun

log = logging.getLogger("nic1000.schedule")
SEOUL = ZoneInfo("Asia/Seoul")
Period = Literal["hourly", "daily"]


@dataclass(frozen=True)
class Job:
    name: str
    period: Period
    path: str
    at_hour: int = 9  # daily jobs: from this Seoul hour on (reminders arrive in office hours)

    def func(self) -> Callable[..., object]:
        f: Callable[..., object] = import_string(self.path)
        return f

    def slot(self, now: dt.datetime) -> str | None:
        """The slot `now` falls in, or None when a daily job's hour has not come yet."""
        local = now.astimezone(SEOUL)
        if self.period == "hourly":
            return local.strftime("%Y-%m-%dT%H")
        if local.hour < self.at_hour:
            return None
        return local.strftime("%Y-%m-%d")


_JOBS: dict[str, Job] = {}


def register_job(name: str, period: Period, path: str, *, at_hour: int = 9) -> None:
    _JOBS[name] = Job(name=name, period=period, path=path, at_hour=at_hour)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


def run_job(job: Job, *, now: dt.datetime) -> bool:
    """Claim `job`'s slot for `now` and run it; False when the slot is not open or another worker has it."""
    slot = job.slot(now)
    if slot is None:
        return False
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, slot=slot, started_at=timezone.now())
    except IntegrityError:
        return False
    try:
        result = job.func()(now=now)
    except Exception as exc:  # the schedule goes on; the error is kept on the run and logged
        log.exception("scheduled job %s failed", job.name)
        ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), error=repr(exc)[:2000])
        return True
    ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=str(result)[:200])
    return True


def run_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Run every registered job whose slot is open and unclaimed; the names of those run."""
    now = now or timezone.now()
    return [job.name for job in jobs() if run_job(job, now=now)]
