"""The auditor verifies the chain from the browser (recorded, audited with its result, the first bad row shown)
and exports the filtered trail, refused with a clear message above the limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from nic1000.audit import views as audit_views
from nic1000.audit.models import AuditEntry, ChainVerification
from nic1000.audit.services import audit_record
from nic1000.audit.verification import chain_verify
from nic1000.core.errors import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _write(n: int, actor: Any, action: str = "test.write") -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=actor, action=action, object_type="thing", object_id=i)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_verify_records_the_run_and_audits_it(personas: Any) -> None:
    _write(3, personas.program_office)
    c = _client(personas.auditor)
    r = c.post("/audit/verify/", follow=True)
    assert "The audit chain is intact: 3 rows checked." in r.content.decode()
    run = ChainVerification.objects.get()
    assert run.ok and run.rows_checked == 3 and run.first_bad_seq is None and run.by_label == "auditor"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "audit.verified"
    assert entry.changes["ok"]["after"] is True and entry.changes["rows_checked"]["after"] == 3
    assert 'data-testid="verification"' in c.get("/audit/verify/").content.decode()


def test_verify_shows_the_first_bad_row(personas: Any) -> None:
    _write(4, personas.program_office)
    # Tamper behind the application's back (the model refuses; on PostgreSQL the guard trigger is lifted first).
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cur.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = 2")
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    c = _client(personas.auditor)
    r = c.post("/audit/verify/", follow=True)
    html = r.content.decode()
    assert "The audit chain is broken: the first bad row is 2." in html
    run = ChainVerification.objects.get()
    assert not run.ok and run.first_bad_seq == 2 and run.problems
    entry = AuditEntry.objects.filter(action="audit.verified").get()
    assert entry.changes["first_bad_seq"]["after"] == 2


def test_verify_is_refused_to_other_roles(personas: Any) -> None:
    with pytest.raises(Forbidden):
        chain_verify(acting_user=personas.company_a)
    assert _client(personas.support).post("/audit/verify/").status_code == 403
    assert not ChainVerification.objects.exists()


def test_export_keeps_the_filters(personas: Any) -> None:
    _write(2, personas.program_office, action="publication.create")
    _write(3, personas.program_office, action="round.create")
    r = _client(personas.auditor).get("/audit/?action=publication.&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[1:]
    assert len(rows) == 2 and {row[3] for row in rows} == {"publication.create"}


def test_export_above_the_limit_is_refused_with_a_message(personas: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(audit_views, "EXPORT_MAX_ROWS", 2)
    _write(3, personas.program_office)
    c = _client(personas.auditor)
    r = c.get("/audit/?action=test.&format=xlsx")
    assert r.status_code == 302 and "format" not in r["Location"] and "action=test." in r["Location"]
    html = c.get(r["Location"]).content.decode()
    assert "3 entries match these filters; an export holds at most 2." in html
