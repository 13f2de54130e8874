"""Background work of the audit trail: anchoring the chain (run by `nic1000 worker`).

`audit_anchor_due` is checked by the worker's schedule loop beside the monthly inspection: when the anchor file's
newest line is older than AUDIT_ANCHOR_INTERVAL_SECONDS (a day), it anchors at once (a quick read and one
appended line, so no queue: a busy worker must not delay it, and it cannot pile up duplicates).
`audit_anchor_task` does the same on demand through the task queue."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django_tasks import task

from nic1000.audit.anchors import Anchor, audit_anchor, last_anchor_at

log = logging.getLogger(__name__)


@task()
def audit_anchor_task() -> dict[str, Any]:
    a = audit_anchor()
    return {"seq": a.seq, "hash": a.hash, "at": a.at}


def audit_anchor_due(*, now: dt.datetime | None = None) -> Anchor | None:
    """Anchor the chain when the last anchor is older than the interval (or there is none)."""
    now = now or dt.datetime.now(dt.UTC)
    last = last_anchor_at()
    interval = dt.timedelta(seconds=int(settings.AUDIT_ANCHOR_INTERVAL_SECONDS))
    if last is not None and now - last < interval:
        return None
    anchor = audit_anchor()
    log.info("anchored the audit trail at row %s", anchor.seq)
    return anchor
