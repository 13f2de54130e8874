"""Scheduled jobs: a slot runs once however many times (or workers) check; a failing job keeps its error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nic1000.core import schedule
from nic1000.core.models import ScheduledRun

CALLS: list[dt.datetime] = []


def _job(*, now: dt.datetime) -> int:
    CALLS.append(now)
    return len(CALLS)


def _failing(*, now: dt.datetime) -> int:
    raise RuntimeError("mail server down")


@pytest.fixture
def jobs(monkeypatch: Any) -> None:
    monkeypatch.setattr(schedule, "_JOBS", {})
    CALLS.clear()


SEOUL_10AM = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul


@pytest.mark.django_db
def test_daily_job_runs_once_per_day(jobs: None) -> None:
    schedule.register_job("t.daily", "daily", f"{__name__}._job")
    assert schedule.run_due_jobs(now=SEOUL_10AM) == ["t.daily"]
    assert schedule.run_due_jobs(now=SEOUL_10AM + dt.timedelta(hours=5)) == []
    assert schedule.run_due_jobs(now=SEOUL_10AM + dt.timedelta(days=1)) == ["t.daily"]
    assert len(CALLS) == 2
    assert ScheduledRun.objects.filter(job="t.daily", error="").count() == 2


@pytest.mark.django_db
def test_daily_job_waits_for_its_hour(jobs: None) -> None:
    schedule.register_job("t.daily", "daily", f"{__name__}._job", at_hour=11)
    assert schedule.run_due_jobs(now=SEOUL_10AM) == []
    assert schedule.run_due_jobs(now=SEOUL_10AM + dt.timedelta(hours=1)) == ["t.daily"]


@pytest.mark.django_db
def test_hourly_job(jobs: None) -> None:
    schedule.register_job("t.hourly", "hourly", f"{__name__}._job")
    for minutes in (0, 20, 59, 60, 61):
        schedule.run_due_jobs(now=SEOUL_10AM + dt.timedelta(minutes=minutes))
    assert len(CALLS) == 2


@pytest.mark.django_db
def test_failing_job_keeps_its_error_and_others_run(jobs: None) -> None:
    schedule.register_job("t.fail", "daily", f"{__name__}._failing")
    schedule.register_job("t.ok", "daily", f"{__name__}._job")
    assert schedule.run_due_jobs(now=SEOUL_10AM) == ["t.fail", "t.ok"]
    assert "mail server down" in ScheduledRun.objects.get(job="t.fail").error
    assert CALLS == [SEOUL_10AM]
