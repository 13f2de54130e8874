"""Migration designations 0002 gives every existing designation its own certificate code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("designations", "0001_initial")]
AFTER = [("designations", "0002_membership_certificate_code")]


@pytest.mark.django_db(transaction=True)
def test_existing_designations_get_distinct_codes(reference_data) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import CompanyFactory
    from tests.monitoring.factories import published_round

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Membership = apps.get_model("designations", "Membership")
    body = apps.get_model("registry", "Body").objects.get(code="MSS")
    rnd = published_round()
    pks = [
        Membership.objects.create(
            company_id=CompanyFactory().pk, round_id=rnd.pk, body_id=body.pk, status=status,
            selected_on=dt.date(2025, 1, 1),
        ).pk
        for status in ("active", "active", "removed")
    ]  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from nic1000.designations.models import Membership as Current

    codes = list(Current.objects.filter(pk__in=pks).values_list("certificate_code", flat=True))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # later tests need every migration again
    assert len(set(codes)) == 3 and all(len(c) == 20 and c.isalnum() for c in codes)
