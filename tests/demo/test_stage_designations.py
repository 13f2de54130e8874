"""The demo's re-evaluation stage: bodies file, the office decides; removals go through the removal service."""

from __future__ import annotations

import pytest
from django.utils import timezone

from nic1000.demo.context import DemoContext
from nic1000.demo.stages import designations as stage
from nic1000.designations.models import Membership, Reevaluation
from nic1000.monitoring.models import Removal
from tests.finance.factories import select
from tests.monitoring.factories import member

pytestmark = pytest.mark.django_db


def test_reevaluate_removes_through_the_bodies_and_continues_others(personas) -> None:  # type: ignore[no-untyped-def]
    ctx = DemoContext(seed=1, companies=100, out=lambda _s: None)
    ctx.program_office = personas.program_office
    gone = select(personas.company_a_obj, body_code="MSS")
    kept = [member(body="MSS") for _ in range(4)]
    orphan = member(body="MOF")  # no demo officer for this body: removed directly
    removed = stage.reevaluate(
        ctx,
        day=timezone.localdate(),
        officers={"MSS": personas.ministry_mss},
        remove=[(gone, "going_concern", "재평가"), (orphan, "weak_marketability", "재평가")],
        others=kept,
    )
    assert removed == 2
    assert set(Removal.objects.values_list("membership_id", flat=True)) == {gone.pk, orphan.pk}
    assert Reevaluation.objects.filter(decision="remove").count() == 1
    assert Reevaluation.objects.filter(decision="continue").count() == stage.CONTINUED_PER_PERIOD
    assert Membership.objects.filter(pk__in=[m.pk for m in kept], status="active").count() == 4
    assert stage.run(ctx) == {"reevaluations": 1 + stage.CONTINUED_PER_PERIOD, "refills": 0}
