"""The claim protocol of an inspection run: one worker at a time, kept alive by heartbeats, taken over when stale.

Both phases of a run (inspecting, then explaining) use it the same way:

* `claim` sets `claimed_by` to a fresh token with one conditional UPDATE, which succeeds only when the row is
  free or its heartbeat is older than NIC1000_INSPECTION_STALE_SECONDS (a killed worker's claim);
* the holder renews `heartbeat_at` as it works (`heartbeat`) and, in each transaction that writes, first
  locks the row and checks the claim is still its own (`hold`): a stalled worker whose claim was taken over
  stops there (`claim_lost`);
* `release` frees the row when the phase ends or fails.

The schedule asks `is_live` before enqueueing a run again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.errors import Conflict
from nic1000.monitoring.models import InspectionRun


def stale_seconds() -> int:
    return int(settings.NIC1000_INSPECTION_STALE_SECONDS)


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=stale_seconds())


def is_live(run: InspectionRun, now: dt.datetime | None = None) -> bool:
    """Someone holds the run and was heard from recently."""
    now = now or timezone.now()
    return bool(run.claimed_by and run.heartbeat_at and run.heartbeat_at > _stale_before(now))


def claim(run: InspectionRun, *, where: Q, **also: Any) -> str | None:
    """Claim the run when `where` holds and nobody live holds it; returns the token, or None when another
    worker has it. `also` are more fields to set in the same UPDATE."""
    now = timezone.now()
    token = uuid.uuid4().hex
    free = Q(claimed_by="") | Q(heartbeat_at__lt=_stale_before(now)) | Q(heartbeat_at__isnull=True)
    claimed = InspectionRun.objects.filter(where, free, pk=run.pk).update(
        claimed_by=token, heartbeat_at=now, error="", **also
    )
    return token if claimed else None


def heartbeat(run: InspectionRun, token: str) -> None:
    InspectionRun.objects.filter(pk=run.pk, claimed_by=token).update(heartbeat_at=timezone.now())


def claim_lost() -> Conflict:
    return Conflict(_("The inspection was taken over by another worker."), code="claim_lost")


def hold(run: InspectionRun, token: str) -> InspectionRun:
    """Inside the writing transaction: lock the run and make sure the claim is still ours (else `claim_lost`)."""
    locked = InspectionRun.objects.select_for_update().filter(pk=run.pk, claimed_by=token).first()
    if locked is None:
        raise claim_lost()
    return locked


def release(run: InspectionRun, token: str, *, error: str = "", **also: Any) -> None:
    """Free the run (if still ours), noting the error that ended the phase, if any."""
    InspectionRun.objects.filter(pk=run.pk, claimed_by=token).update(
        claimed_by="", error=error[:2000], heartbeat_at=timezone.now(), **also
    )
