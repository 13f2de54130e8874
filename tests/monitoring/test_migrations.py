"""Migration 0004 drops the removal's copy of the reason and note, keeping them on the designation first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Designations before their certificate codes (a later migration), as the rows were when 0004 ran.
BEFORE = [("monitoring", "0003_membership_in_designations"), ("designations", "0001_initial")]
AFTER = [("monitoring", "0004_removal_reads_the_designation")]


@pytest.mark.django_db(transaction=True)
def test_removals_keep_their_reason_on_the_designation(reference_data) -> None:
    from tests.factories import CompanyFactory
    from tests.monitoring.factories import published_round

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Membership = apps.get_model("designations", "Membership")
    Removal = apps.get_model("monitoring", "Removal")
    Body = apps.get_model("registry", "Body")
    body = Body.objects.get(code="MSS")
    rnd = published_round()
    kept, bare = (
        Membership.objects.create(
            company_id=CompanyFactory().pk, round_id=rnd.pk, body_id=body.pk, status="removed",
            selected_on=dt.date(2025, 1, 1), **extra,
        )
        for extra in ({"removal_reason": "other", "removal_note": "on the designation"}, {})
    )  # fmt: skip
    for m in (kept, bare):
        Removal.objects.create(
            membership_id=m.pk, body_id=body.pk, reason="going_concern", note="on the removal",
            removed_at=timezone.now(),
        )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    # Then every later migration, so the tests after this one find the whole schema.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from nic1000.designations.models import Membership as Current

    got = dict(Current.objects.filter(pk__in=[kept.pk, bare.pk]).values_list("pk", "removal_reason"))
    assert got == {kept.pk: "other", bare.pk: "going_concern"}
    assert Current.objects.get(pk=bare.pk).removal_note == "on the removal"
