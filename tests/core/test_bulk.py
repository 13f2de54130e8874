"""The shared bulk writer gives the same rows as the ORM on both databases (COPY on PostgreSQL past 50 rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from nic1000.core.bulk import insert_returning_ids, insert_rows, param_limit
from nic1000.core.models import Notification, StateChange
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 120])
def test_insert_returning_ids_matches_rows(n: int) -> None:
    user = UserFactory()
    now = timezone.now()
    records = [{"recipient_id": user.pk, "kind": "k", "title": f"t{i}", "created_at": now} for i in range(n)]
    with transaction.atomic():
        ids = insert_returning_ids(Notification, records, now)
    assert len(ids) == n == len(set(ids))
    got = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "title"))
    assert [got[i] for i in ids] == [f"t{i}" for i in range(n)]
    # Defaults of fields the records leave out are applied.
    assert set(Notification.objects.filter(pk__in=ids).values_list("body", "dedupe_key")) == {("", "")}


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 75])
def test_insert_rows_plain_and_copy(n: int) -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    cols = ("workflow", "object_type", "object_id", "transition", "from_state", "to_state", "at", "reason")
    # Values arrive adapted for the database, as the callers (audit, inspections) prepare them.
    at_db = connection.ops.adapt_datetimefield_value(at)
    rows = [("w", "x.y", str(i), "go", "a", "b", at_db, "") for i in range(n)]
    with transaction.atomic():
        insert_rows(StateChange._meta.db_table, cols, rows)
    assert sorted(int(i) for i in StateChange.objects.values_list("object_id", flat=True)) == list(range(n))
    assert StateChange.objects.filter(at=at).count() == n


@pytest.mark.django_db
def test_param_limit_is_positive() -> None:
    assert param_limit() >= 999
