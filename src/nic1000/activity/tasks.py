"""Background sending of notification e-mails (Django Tasks, run by `nic1000 worker`).

`deliveries_enqueue` queues the sending once the surrounding transaction commits (nothing is sent for a
transaction rolled back), one task per batch of `NIC1000_EMAIL_BATCH` deliveries. The task sends what is due and,
when some of its rows wait for a retry, enqueues itself again for that time (`run_after`), so retries do not
wait for a schedule. The hourly job `deliveries_sweep_due` re-enqueues whatever is due and has no live task
(a worker that died, a queue that failed): nothing is lost."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from nic1000.activity.delivery import deliveries_due_ids, deliveries_send

log = logging.getLogger("nic1000.mail")


@task()
def deliveries_send_task(ids: list[int]) -> dict[str, int]:
    result = deliveries_send(ids=ids)
    if result.pending and result.next_due is not None:
        _enqueue_now(result.pending, run_after=result.next_due)
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


def _batches(ids: Sequence[int]) -> list[list[int]]:
    size = int(settings.NIC1000_EMAIL_BATCH)
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def _enqueue_now(ids: Sequence[int], *, run_after: dt.datetime | None = None) -> None:
    deferred = run_after is not None and run_after > timezone.now()
    backend_task = deliveries_send_task
    if deferred:
        if not deliveries_send_task.get_backend().supports_defer:
            return  # this backend cannot wait: the hourly sweep sends them when due
        backend_task = deliveries_send_task.using(run_after=run_after)
    for batch in _batches(ids):
        try:
            backend_task.enqueue(ids=batch)
        except Exception:  # the rows stay queued; the hourly sweep enqueues them again
            log.exception("could not enqueue the sending of %s e-mail deliveries", len(batch))


def deliveries_enqueue(ids: Sequence[int]) -> None:
    """Send these deliveries in the background once the current transaction commits."""
    if ids:
        ids = list(ids)
        transaction.on_commit(lambda: _enqueue_now(ids))


def deliveries_sweep_due(*, now: dt.datetime) -> int:
    """Hourly: enqueue every delivery that is due (its task was lost with a dead worker, or is yet to run: a
    second task finds it claimed or sent, never sends it twice); how many."""
    ids = deliveries_due_ids(now=now)
    _enqueue_now(ids)
    return len(ids)
