"""`nic1000 backup` and `nic1000 restore`: the same commands on SQLite and PostgreSQL. Data written through the
services is backed up, restored into a fresh database, and there the audit trail verifies and every table holds
as many rows as the original."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections

from nic1000.audit.verify import audit_verify
from nic1000.ops.backup import pg_tool
from nic1000.registry.services import company_update

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed data only


def _counts(using: str) -> dict[str, int]:
    return {m._meta.label: m._default_manager.using(using).count() for m in apps.get_models()}


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[str]:
    """A connection alias 'fresh' to a new, empty database: an SQLite file, or a new PostgreSQL database."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{settings['NAME']}_fresh"
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "fresh.sqlite3")
    settings["NAME"] = name
    connections.settings["fresh"] = settings
    # Connected here: the test case refuses to open connections to aliases it was not set up with.
    connections["fresh"].connect()
    try:
        yield "fresh"
    finally:
        connections["fresh"].close()
        del connections["fresh"]
        del connections.settings["fresh"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _some_history(personas) -> None:  # type: ignore[no-untyped-def]
    for employees in (41, 42, 43):
        company_update(
            company=personas.company_a_obj, acting_user=personas.program_office, employees=employees
        )
    company_update(
        company=personas.company_b_obj, acting_user=personas.company_b, website="https://b.example"
    )


def test_backup_then_restore_into_a_fresh_database(personas, fresh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _some_history(personas)
    assert audit_verify()[1] == []
    original = _counts("default")
    assert original["audit.AuditEntry"] >= 4 and original["accounts.User"] >= 11
    backup = tmp_path / "nic1000.backup"
    out = StringIO()
    call_command("backup", str(backup), stdout=out)
    assert backup.stat().st_size > 0 and "backed up" in out.getvalue()

    out = StringIO()
    call_command("restore", str(backup), database=fresh, stdout=out, stderr=StringIO())
    assert "audit trail intact" in out.getvalue()
    checked, problems = audit_verify(using=fresh)
    assert problems == [] and checked == original["audit.AuditEntry"]
    assert _counts(fresh) == original

    # Now the fresh database holds data: a second restore is refused without --force, accepted with it.
    with pytest.raises(CommandError, match=r"not empty .* Use --force"):
        call_command("restore", str(backup), database=fresh, stdout=StringIO())
    call_command("restore", str(backup), database=fresh, force=True, stdout=StringIO(), stderr=StringIO())
    assert _counts(fresh) == original and audit_verify(using=fresh)[1] == []


def test_restore_refuses_a_database_with_data_and_other_files(personas, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _some_history(personas)
    backup = tmp_path / "b"
    call_command("backup", str(backup), stdout=StringIO())
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(backup), stdout=StringIO())
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup), stdout=StringIO())
    junk = tmp_path / "junk"
    junk.write_bytes(b"hello")
    with pytest.raises(CommandError, match="neither an SQLite backup nor a pg_dump"):
        call_command("restore", str(junk), stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"), stdout=StringIO())


def test_postgresql_client_matches_the_server() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database (run with DATABASE_URL=postgres://...)")
    import subprocess

    major = connection.pg_version // 10000
    for tool in ("pg_dump", "pg_restore"):
        out = subprocess.run([str(pg_tool(tool, major)), "--version"], capture_output=True, text=True).stdout
        assert f"PostgreSQL) {major}." in out
