from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from nic1000.audit.models import AuditEntry
from nic1000.audit.services import audit_record
from nic1000.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


def _write(n: int, actor: object = None) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="test.write",
                object_type="thing",
                object_id=i,
                changes={"x": {"before": i, "after": i + 1}},
            )


def _raw(sql: str, params: list[object]) -> None:
    """Tamper behind the application's back (on PostgreSQL the guard trigger must be lifted first)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_intact_chain_verifies() -> None:
    _write(5)
    checked, problems = audit_verify()
    assert checked == 5 and problems == []
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "5 rows verified" in out.getvalue()


def test_application_cannot_update_or_delete() -> None:
    _write(1)
    entry = AuditEntry.objects.get()
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL only")
def test_database_trigger_refuses_raw_update_on_postgresql() -> None:
    _write(1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'x'")


def test_edit_behind_the_back_is_detected() -> None:
    _write(4)
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["tampered", 2])
    _checked, problems = audit_verify()
    assert [p.seq for p in problems] == [2]
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_deletion_in_the_middle_is_detected() -> None:
    _write(4)
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    _checked, problems = audit_verify()
    assert any("missing" in p.message for p in problems)


def test_deletion_of_the_tail_is_detected() -> None:
    _write(3)
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    _checked, problems = audit_verify()
    assert any("tail" in p.message for p in problems)


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", object_type="y")


def test_the_trail_names_users_systems_and_api_tokens(personas) -> None:  # type: ignore[no-untyped-def]
    from nic1000.finance.services import ApiActor

    _write(1, personas.program_office)
    _write(1, "cli")
    _write(1, ApiActor(institution_id=1, label="api:KDB:nic_abc"))
    _write(1, None)
    rows = list(AuditEntry.objects.order_by("seq").values_list("actor_id", "actor_label"))
    assert rows == [
        (personas.program_office.pk, "po"),
        (None, "cli"),
        (None, "api:KDB:nic_abc"),
        (None, "system"),
    ]
    assert audit_verify()[1] == []
