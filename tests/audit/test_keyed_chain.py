"""Attacks by someone who can write the database but does not hold AUDIT_KEY, each of which the unkeyed,
unanchored chain called 'intact': re-hashing after an edit, cutting the tail and rewinding the head, emptying
the table. The keyed chain and the anchor file catch each one and name the first bad row."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from nic1000.audit.chain import GENESIS, key_fingerprint, row_hash
from nic1000.audit.keys import audit_key, check_audit_key
from nic1000.audit.models import AuditEntry, AuditHead
from nic1000.audit.services import audit_record
from nic1000.audit.tasks import audit_anchor_due
from nic1000.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


def _write(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor="cli", action="test.write", object_type="thing", object_id=i, changes={"n": i})


def _sql(*statements: tuple[str, list[Any]]) -> None:
    """Behind the application's back (on PostgreSQL the row trigger must be lifted first, as its owner can)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        for sql, params in statements:
            cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def _rehash_from(start: int, key: bytes | None) -> None:
    """Recompute the hashes of row `start` and every later row, and the head, as an attacker would."""
    prev = AuditEntry.objects.get(seq=start - 1).hash if start > 1 else GENESIS
    updates = []
    for r in AuditEntry.objects.filter(seq__gte=start).order_by("seq"):
        h = row_hash(
            seq=r.seq, at=r.at, actor_id=r.actor_id, actor_label=r.actor_label, action=r.action,
            object_type=r.object_type, object_id=r.object_id, object_repr=r.object_repr, changes=r.changes,
            reason=r.reason, prev_hash=prev, key=key,
        )  # fmt: skip
        updates.append(
            ("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, h, r.seq])
        )
        prev = h
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    _sql(*updates, ("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [last, prev]))


def _first_bad() -> int:
    _checked, problems = audit_verify()
    assert problems, "verify said intact"
    return problems[0].seq


def _verify_command_fails(first: int) -> None:
    with pytest.raises(CommandError, match=f"BROKEN: first bad row {first};"):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_edited_row_rehashed_without_the_key_is_caught() -> None:
    _write(5)
    _sql(("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["tampered", 3]))
    _rehash_from(3, key=None)  # the chain's own unkeyed hash: what the old verify accepted
    assert _first_bad() == 3
    _verify_command_fails(3)


def test_edited_row_rehashed_with_another_key_is_caught() -> None:
    _write(5)
    _sql(("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["backdated", 2]))
    _rehash_from(2, key=b"a guess at the key, 32 characters long")
    assert _first_bad() == 2


def test_deleted_tail_with_rewound_head_is_caught_by_the_anchor() -> None:
    _write(5)
    call_command("audit", "anchor", stdout=StringIO())
    _sql(("DELETE FROM audit_auditentry WHERE seq > %s", [3]))
    row3 = AuditEntry.objects.get(seq=3)
    _sql(("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [3, row3.hash]))
    _checked, problems = audit_verify()
    assert problems[0].seq == 4 and "4..5 are missing" in problems[0].message
    _verify_command_fails(4)


def test_emptied_table_is_caught_by_the_anchor() -> None:
    _write(3)
    call_command("audit", "anchor", stdout=StringIO())
    _sql(("DELETE FROM audit_auditentry", []), ("UPDATE audit_audithead SET seq = 0, hash = %s", [GENESIS]))
    checked, problems = audit_verify()
    assert checked == 0 and problems[0].seq == 1 and "table is empty" in problems[0].message
    _verify_command_fails(1)


def test_a_chain_rebuilt_from_scratch_differs_from_the_anchor() -> None:
    """Even rewriting every row from row 1 with a made-up key is caught where an anchor remembers a hash."""
    _write(4)
    call_command("audit", "anchor", stdout=StringIO())
    _rehash_from(1, key=b"an attacker's own key of 32 characters")
    problems = audit_verify()[1]
    assert problems[0].seq == 1 and any("differs from the anchor" in p.message for p in problems)


def test_verify_under_the_wrong_key_says_so(settings) -> None:  # type: ignore[no-untyped-def]
    _write(3)
    call_command("audit", "anchor", stdout=StringIO())
    settings.AUDIT_KEY = "another key that is at least 32 characters"
    problems = audit_verify()[1]
    assert problems[0].seq == 1
    assert any("not the key this trail was written with" in p.message for p in problems)
    assert any("written under key" in p.message for p in problems)


def test_anchor_appends_the_head(settings) -> None:  # type: ignore[no-untyped-def]
    _write(2)
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    _write(1)
    call_command("audit", "anchor", stdout=StringIO())
    lines = [json.loads(x) for x in Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()]
    head = AuditHead.objects.get(pk=1)
    assert [x["seq"] for x in lines] == [2, 3] and lines[1]["hash"] == head.hash
    assert lines[0]["key"] == key_fingerprint(settings.AUDIT_KEY.encode()) and "at row 2" in out.getvalue()
    verified = StringIO()
    call_command("audit", "verify", stdout=verified)
    assert "3 rows verified against 2 anchor(s)" in verified.getvalue()


def test_rows_from_before_keying_verify_unkeyed_and_the_boundary_cannot_move() -> None:
    _write(4)
    # As the migration leaves an existing trail: rows 1..2 written with the old unkeyed hash, legacy_seq = 2.
    _rehash_from(1, key=None)
    _sql(("UPDATE audit_audithead SET legacy_seq = 2 WHERE id = 1", []))
    _rehash_from(3, key=audit_key())
    assert audit_verify()[1] == []
    _write(1)  # new rows are signed
    call_command("audit", "anchor", stdout=StringIO())
    assert audit_verify() == (5, [])
    # Moving the boundary up to re-hash signed rows unkeyed is caught by the anchor.
    _sql(("UPDATE audit_auditentry SET object_repr = 'x' WHERE seq = 4", []))
    _rehash_from(4, key=None)
    _sql(("UPDATE audit_audithead SET legacy_seq = 5 WHERE id = 1", []))
    problems = audit_verify()[1]
    assert problems and problems[0].seq == 3


def test_no_key_no_start(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_KEY = None
    assert [e.id for e in check_audit_key()] == ["audit.E001"]
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY"), transaction.atomic():
        audit_record(actor=None, action="x", object_type="y")


def test_the_worker_anchors_daily(settings) -> None:  # type: ignore[no-untyped-def]
    _write(2)
    now = dt.datetime.now(dt.UTC)
    first = audit_anchor_due(now=now)
    assert first is not None and first.seq == 2
    assert audit_anchor_due(now=now + dt.timedelta(hours=23)) is None
    _write(1)
    again = audit_anchor_due(now=now + dt.timedelta(hours=25))
    assert again is not None and again.seq == 3
    assert len(Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()) == 2


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_truncate() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database (run with DATABASE_URL=postgres://...)")
    _write(2)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        # The test database lets the flush's TRUNCATE through; production databases refuse it always.
        cur.execute("SET LOCAL nic1000.audit_guard_tests = 'on'")
        cur.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_an_existing_unkeyed_trail_verifiable() -> None:
    """A trail written before keying (plain SHA-256) verifies after migration 0003, and later rows are signed."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_head_and_guard")])
    try:
        prev = GENESIS
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        rows = []
        for seq in (1, 2, 3):
            h = row_hash(
                seq=seq, at=at, actor_id=None, actor_label="cli", action="old.write", object_type="thing",
                object_id=str(seq), object_repr="", changes={}, reason="", prev_hash=prev, key=None,
            )  # fmt: skip
            rows.append((seq, at, "cli", "old.write", "thing", str(seq), "", "{}", "", prev, h))
            prev = h
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit_auditentry (seq, at, actor_label, action, object_type, object_id, object_repr,"
                " changes, reason, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cur.execute("DELETE FROM audit_audithead")  # (a flushed test database may have none)
            cur.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 3, %s)", [prev])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert AuditHead.objects.get(pk=1).legacy_seq == 3
    assert audit_verify() == (3, [])
    _write(2)
    assert audit_verify() == (5, [])
    row4 = AuditEntry.objects.get(seq=4)
    assert row4.prev_hash == prev  # the first signed row covers the last unkeyed one
