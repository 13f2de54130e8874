"""`nic1000 worker`: the django-tasks-db worker plus the monthly inspection schedule.

The worker loop is django-tasks-db's own (`db_worker`); a daemon thread checks every `--schedule-interval`
seconds whether this month's inspection is due (not done, not queued, no live claim) and enqueues it, which
also re-queues an inspection interrupted by a killed worker so it resumes where it stopped. The same loop anchors
the audit trail daily (audit.tasks.audit_anchor_due) and runs the jobs apps registered in `core.schedule`
(reminders, chases: each slot once across workers). Another daemon thread writes a heartbeat every 15 s into
the shared cache (monitoring.heartbeat), which /healthz checks.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

log = logging.getLogger("nic1000.worker")
HEARTBEAT_INTERVAL = 15.0  # seconds; /healthz reports a worker silent for NIC1000_WORKER_STALE_SECONDS


def schedule_loop(stop: threading.Event, interval: float) -> None:
    from nic1000.monitoring.tasks import inspection_schedule_due

    while not stop.is_set():
        try:
            close_old_connections()
            run = inspection_schedule_due()
            if run is not None:
                log.warning("queued the monthly inspection %s", run.period)
        except Exception:  # keep the schedule alive; the error is logged
            log.exception("monthly inspection schedule check failed")
        finally:
            close_old_connections()
        _anchor_if_due()
        _run_scheduled_jobs()
        stop.wait(interval)


def _run_scheduled_jobs() -> None:
    """Reminders and chases the apps registered (`core.schedule`); each slot runs once across workers."""
    from nic1000.core.schedule import run_due_jobs

    try:
        ran = run_due_jobs()
        if ran:
            log.info("ran scheduled jobs %s", ", ".join(ran))
    except Exception:  # keep the schedule alive; the error is logged
        log.exception("scheduled jobs failed")
    finally:
        close_old_connections()


def _anchor_if_due() -> None:
    from nic1000.audit.tasks import audit_anchor_due

    try:
        audit_anchor_due()
    except Exception:  # keep the schedule alive; the error is logged
        log.exception("daily audit anchor failed")
    finally:
        close_old_connections()


class Command(DbWorkerCommand):
    help = "Run background tasks (django-tasks-db worker) and the monthly inspection schedule"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval", type=float, default=60.0, help="seconds between schedule checks"
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="do not enqueue the monthly inspection"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options.pop("schedule_interval")
        no_schedule = options.pop("no_schedule")
        if options.get("queue_name") in (None, "default"):
            options["queue_name"] = "*"
        stop = threading.Event()
        if not options.get("batch"):
            from nic1000.monitoring.heartbeat import heartbeat_loop

            threading.Thread(
                target=heartbeat_loop, args=(stop, HEARTBEAT_INTERVAL), daemon=True, name="heartbeat"
            ).start()
        if not no_schedule:
            if options.get("batch"):
                # One check before a batch run, so `--batch` also processes a due inspection.
                from nic1000.monitoring.tasks import inspection_schedule_due

                inspection_schedule_due()
                _anchor_if_due()
            else:
                threading.Thread(
                    target=schedule_loop, args=(stop, interval), daemon=True, name="schedule"
                ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
