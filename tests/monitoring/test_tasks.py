"""The monthly schedule enqueues an inspection once, and re-enqueues an interrupted one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nic1000.monitoring.models import InspectionRun
from nic1000.monitoring.tasks import inspection_schedule_due


@pytest.mark.django_db(transaction=True)
def test_schedule_enqueues_once_and_requeues_a_killed_run(reference_data) -> None:
    now = timezone.now()
    run = inspection_schedule_due(now=now)
    assert run is not None
    run.refresh_from_db()
    assert run.task_id  # enqueued (on commit)
    assert inspection_schedule_due(now=now) is None  # still queued: nothing more
    # The worker picked it up and was killed: task RUNNING, claim stale.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=run.task_id).update(status="RUNNING")
    InspectionRun.objects.filter(pk=run.pk).update(
        status="running", claimed_by="dead", heartbeat_at=now - dt.timedelta(hours=1)
    )
    again = inspection_schedule_due(now=now)
    assert again is not None and again.pk == run.pk
    again.refresh_from_db()
    assert again.task_id != run.task_id
    # Done: never again.
    InspectionRun.objects.filter(pk=run.pk).update(status="done")
    assert inspection_schedule_due(now=now) is None


@pytest.mark.django_db(transaction=True)
def test_schedule_requeues_an_unfinished_explanation_phase(reference_data) -> None:
    now = timezone.now()
    run = inspection_schedule_due(now=now)
    assert run is not None
    # The levels are in (done) but the worker was killed while explaining: task gone, claim stale.
    InspectionRun.objects.filter(pk=run.pk).update(
        status="done", task_id="", claimed_by="dead", heartbeat_at=now - dt.timedelta(hours=1)
    )
    again = inspection_schedule_due(now=now)
    assert again is not None and again.pk == run.pk
    InspectionRun.objects.filter(pk=run.pk).update(explained_at=now, task_id="")
    assert inspection_schedule_due(now=now) is None
