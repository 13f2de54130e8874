"""The bulk writer's shortcuts (no JSON round trip for common values, changes encoded once and spliced into
the hashed payload) must give exactly what the plain definitions give, or `audit verify` would fail."""

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from nic1000.audit.chain import _default, canonical, row_hash
from nic1000.audit.models import AuditEntry
from nic1000.audit.services import AuditItem, audit_record_many
from nic1000.audit.verify import audit_verify

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.dates()
    | st.datetimes(timezones=st.just(dt.UTC))
    | st.decimals(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _reference_canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False))


@given(values)
@settings(max_examples=300, deadline=None)
def test_canonical_equals_the_json_round_trip(value: Any) -> None:
    assert canonical(value) == _reference_canonical(value)


def test_canonical_falls_back_for_unusual_values() -> None:
    assert canonical({1: {3, 2}}) == {"1": [2, 3]}
    assert canonical({"n": float("nan")})["n"] != canonical({"n": float("nan")})["n"]  # NaN, via json
    assert canonical({"d": Decimal("1.50")}) == {"d": "1.50"}


@given(values, st.text(), st.text(), st.integers(min_value=1, max_value=10**9))
@settings(max_examples=200, deadline=None)
def test_row_hash_equals_hashing_the_whole_list(changes: Any, label: str, reason: str, seq: int) -> None:
    at = dt.datetime(2026, 11, 27, 3, 4, 5, 678901, tzinfo=dt.UTC)
    changes = canonical({"v": changes})
    reference = json.dumps(
        [seq, "2026-11-27T03:04:05.678901Z", 7, label, "a.b", "x.y", "12", "repr", changes, reason, "0" * 64],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    expected = hashlib.sha256(reference.encode("utf-8")).hexdigest()
    got = row_hash(
        seq=seq, at=at, actor_id=7, actor_label=label, action="a.b", object_type="x.y", object_id="12",
        object_repr="repr", changes=changes, reason=reason, prev_hash="0" * 64, key=None,
    )  # fmt: skip
    assert got == expected
    keyed = row_hash(
        seq=seq, at=at, actor_id=7, actor_label=label, action="a.b", object_type="x.y", object_id="12",
        object_repr="repr", changes=changes, reason=reason, prev_hash="0" * 64, key=b"k" * 32,
    )  # fmt: skip
    assert keyed == hmac.new(b"k" * 32, reference.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_bulk_entries_read_back_and_verify() -> None:
    items = [
        AuditItem(
            action="thing.create",
            object_type="thing",
            object_id=str(i),
            object_repr=f"회사 {i}",
            changes={"founded_on": dt.date(2020, 1, i + 1), "amount": Decimal("12.5"), "n": i, "ok": True},
        )
        for i in range(5)
    ]
    with transaction.atomic():
        assert audit_record_many(actor=None, items=items) == 5
    rows = list(AuditEntry.objects.order_by("seq"))
    assert [r.object_repr for r in rows] == [f"회사 {i}" for i in range(5)]
    assert rows[2].changes == {"founded_on": "2020-01-03", "amount": "12.5", "n": 2, "ok": True}
    checked, problems = audit_verify()
    assert checked == 5 and problems == []
