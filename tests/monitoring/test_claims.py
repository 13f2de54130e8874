"""The claim protocol both phases of an inspection use: one holder, heartbeats, stale takeover, release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nic1000.core.errors import Conflict
from nic1000.monitoring import claims
from nic1000.monitoring.models import InspectionRun
from nic1000.monitoring.services.explanations import inspection_explain
from nic1000.monitoring.services.inspections import inspection_run
from tests.monitoring.test_services_inspection import PERIOD, portfolio  # noqa: F401 - fixture


def _run() -> InspectionRun:
    return InspectionRun.objects.create(period="2026-05", created_at=timezone.now())


@pytest.mark.django_db
def test_one_holder_until_its_heartbeat_goes_stale(settings) -> None:
    settings.NIC1000_INSPECTION_STALE_SECONDS = 60
    run = _run()
    first = claims.claim(run, where=Q())
    assert first and claims.claim(run, where=Q()) is None
    run.refresh_from_db()
    assert run.claimed_by == first and claims.is_live(run)
    with transaction.atomic():
        assert claims.hold(run, first).pk == run.pk
    # The holder stalls: a minute later its claim is taken over, and it cannot write any more.
    InspectionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=61))
    run.refresh_from_db()
    assert not claims.is_live(run)
    second = claims.claim(run, where=Q())
    assert second and second != first
    with pytest.raises(Conflict) as exc, transaction.atomic():
        claims.hold(run, first)
    assert exc.value.code == "claim_lost"
    claims.heartbeat(run, first)  # the stalled worker's heartbeat changes nothing
    claims.release(run, first, error="late")
    run.refresh_from_db()
    assert run.claimed_by == second and run.error == ""
    claims.release(run, second, error="x" * 3000, status=InspectionRun.Status.FAILED)
    run.refresh_from_db()
    assert run.claimed_by == "" and len(run.error) == 2000 and run.status == "failed"
    assert claims.claim(run, where=Q(status=InspectionRun.Status.DONE)) is None  # the phase's own condition
    assert claims.claim(run, where=Q(status=InspectionRun.Status.FAILED), attempts=7)
    run.refresh_from_db()
    assert run.attempts == 7 and run.error == ""


@pytest.mark.django_db
def test_a_worker_whose_claim_was_taken_over_stops_at_its_next_chunk(portfolio) -> None:  # noqa: F811
    def steal(k: int) -> None:
        InspectionRun.objects.filter(period=PERIOD).update(claimed_by="another-worker")

    with pytest.raises(Conflict) as exc:
        inspection_run(period=PERIOD, acting_user=None, chunk_size=4, after_chunk=steal, explain=False)
    assert exc.value.code == "claim_lost"
    run = InspectionRun.objects.get(period=PERIOD)
    # Its first chunk stands; the second was not written; the new holder's claim is untouched.
    assert run.chunks_done == 1 and run.processed == 4 and run.claimed_by == "another-worker"


@pytest.mark.django_db
def test_the_explanation_phase_takes_over_a_stale_claim(portfolio) -> None:  # noqa: F811
    inspection_run(period=PERIOD, acting_user=None, explain=False)
    InspectionRun.objects.filter(period=PERIOD).update(
        claimed_by="dead", heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert inspection_explain(period=PERIOD, acting_user=None) > 0
    run = InspectionRun.objects.get(period=PERIOD)
    assert run.explained_at is not None and run.claimed_by == ""
