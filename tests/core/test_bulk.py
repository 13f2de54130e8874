"""The shared bulk writer gives the same rows as the ORM on both databases (COPY on PostgreSQL past 50 rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from nic1000.core.bulk import (
    insert_returning_ids,
    insert_rows,
    insert_select,
    param_limit,
    update_by_pk,
    upsert_rows,
)
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


# ---------------------------------------------------------------- upsert, insert from a select, update by pk


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 120])
def test_upsert_rows_inserts_then_updates_by_the_unique_columns(reference_data, n: int) -> None:
    from nic1000.monitoring.models import InspectionResult, InspectionRun
    from tests.factories import CompanyFactory

    run = InspectionRun.objects.create(period="2026-05", created_at=timezone.now())
    companies = [CompanyFactory().pk for _ in range(n)]
    cols = (
        "run_id",
        "period",
        "company_id",
        "probability",
        "level",
        "model_level",
        "rules",
        "factors",
        "reasons",
    )

    def rows(level: str, p: float | None) -> list[tuple[object, ...]]:
        return [(run.pk, "2026-05", c, p, level, level, '["a"]', "[]", "{}") for c in companies]

    with transaction.atomic():
        upsert_rows(InspectionResult, cols, rows("watch", None), unique=("company_id", "period"))
    got = InspectionResult.objects.filter(period="2026-05")
    assert got.count() == n
    assert set(got.values_list("level", "probability")) == {("watch", None)}
    assert all(r == ["a"] for r in got.values_list("rules", flat=True))  # JSON, not a string
    changed = rows("critical", 0.5)
    changed[0] = (
        run.pk,
        "2026-05",
        companies[0],
        0.25,
        "warning",
        "normal",
        '{"k": 1}',
        '[{"f": "X2"}]',
        "{}",
    )
    with transaction.atomic():
        upsert_rows(InspectionResult, cols, changed, unique=("company_id", "period"))
    assert got.count() == n
    first = got.get(company_id=companies[0])
    assert (first.level, first.probability, first.rules, first.factors) == (
        "warning", 0.25, {"k": 1}, [{"f": "X2"}],
    )  # fmt: skip
    assert got.filter(level="critical", probability=0.5).count() == n - 1


@pytest.mark.django_db
def test_insert_select_copies_rows_and_returns_the_new_ones() -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from nic1000.accounts.models import User

    users = [UserFactory() for _ in range(3)]
    now = timezone.now()
    select = (
        User.objects.filter(pk__in=[u.pk for u in users[:2]])
        .order_by("pk")
        .values(
            recipient=F("pk"),
            at=Value(now),
            k=Value("hello"),
            t=Concat(Value("hi "), F("username")),
            b=Value(""),
            lk=Value(""),
            dk=Value(""),
            ia=Value(True),
        )
    )
    with transaction.atomic():
        made = insert_select(
            Notification,
            ("recipient_id", "created_at", "kind", "title", "body", "link", "dedupe_key", "in_app"),
            select,
            returning=("id", "recipient_id", "title"),
        )
    assert sorted(r[1] for r in made) == sorted(u.pk for u in users[:2])
    stored = {n.pk: n for n in Notification.objects.all()}
    assert set(stored) == {r[0] for r in made}
    for pk, recipient, title in made:
        assert stored[pk].recipient_id == recipient and title == stored[pk].title
        assert stored[pk].title == f"hi {stored[pk].recipient.username}" and stored[pk].created_at == now
    with pytest.raises(ValueError):
        insert_select(Notification, ("recipient_id",), User.objects.values("pk", "username"))


@pytest.mark.django_db
def test_update_by_pk_sets_each_row_its_own_json() -> None:
    from nic1000.monitoring.models import EarlyWarningModel

    now = timezone.now()
    rows = [EarlyWarningModel.objects.create(path=f"m{i}", sha256="x", activated_at=now) for i in range(3)]
    with transaction.atomic():
        update_by_pk(EarlyWarningModel, "features", [('["a"]', rows[0].pk), ('["b", "c"]', rows[2].pk)])
    assert dict(EarlyWarningModel.objects.values_list("path", "features")) == {
        "m0": ["a"], "m1": [], "m2": ["b", "c"],
    }  # fmt: skip
