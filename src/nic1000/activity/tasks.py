"""Background sending of notification e-mails (Django Tasks, run by `nic1000 worker`).

`deliveries_enqueue` queues the sending once the surrounding transaction commits (nothing is sent for a
transaction rolled back), one task per batch of `NIC1000_EMAIL_BATCH` deliveries of the whole transaction
(however many `notify()` calls wrote them). The task sends what is due and,
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


class _EnqueueOnCommit:
    """The on-commit callback of one transaction, gathering the deliveries of every `notify()` in it: a service
    that notifies company by company still enqueues one task per batch, not one per company."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.done = False  # run already (tests run callbacks before the end of their transaction)

    def __call__(self) -> None:
        self.done = True
        _enqueue_now(list(dict.fromkeys(self.ids)))


def deliveries_enqueue(ids: Sequence[int]) -> None:
    """Send these deliveries in the background once the current transaction commits (with every other
    delivery written in the same transaction)."""
    if not ids:
        return
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        for _sids, func, _robust in conn.run_on_commit:
            # Joining is safe: a savepoint whose rollback would drop that callback is still open around us
            # (savepoint ids are unique in a transaction), so the same rollback drops these rows too. Rows of
            # a savepoint rolled back after joining leave ids that no longer exist: the task skips them.
            if isinstance(func, _EnqueueOnCommit) and not func.done:
                func.ids.extend(ids)
                return
    callback = _EnqueueOnCommit()
    callback.ids.extend(ids)
    transaction.on_commit(callback)


def deliveries_sweep_due(*, now: dt.datetime) -> int:
    """Hourly: enqueue every delivery that is due (its task was lost with a dead worker, or is yet to run: a
    second task finds it claimed or sent, never sends it twice); how many."""
    ids = deliveries_due_ids(now=now)
    _enqueue_now(ids)
    return len(ids)
