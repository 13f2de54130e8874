"""`nic1000 inspect [--period YYYY-MM]`: run an inspection now, in this process (same service as the task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Inspect every active selected company for a period (default: this month); resumes an interrupted run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="YYYY-MM (default: the current month, Asia/Seoul)")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for the worker instead of running here"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.db import transaction

        from nic1000.monitoring.periods import period_of
        from nic1000.monitoring.services.inspections import DEFAULT_CHUNK_SIZE, inspection_run
        from nic1000.monitoring.tasks import inspection_enqueue

        period = opts.get("period") or period_of()
        try:
            if opts["enqueue"]:
                with transaction.atomic():
                    run = inspection_enqueue(period=period, acting_user=None)
                self.stdout.write(f"inspection {run.period} queued ({run.status})")
                return
            run = inspection_run(
                period=period, acting_user=None, chunk_size=opts["chunk_size"] or DEFAULT_CHUNK_SIZE
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        levels = " ".join(f"{k}={v}" for k, v in sorted((run.counts or {}).items()))
        self.stdout.write(f"inspection {run.period}: {run.status}, {run.processed} companies; {levels}")
