"""The audit trail page: filters, and a query count that does not grow with the rows shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nic1000.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _write(n: int, actor: Any, action: str = "test.write") -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=actor, action=action, object_type="thing", object_id=i, changes={"x": {"after": i}}
            )


def _queries(client: Client, url: str) -> int:
    client.get(url)  # first requests also set up the session and the programme settings row
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_audit_list_queries_do_not_grow_with_rows(personas: Any) -> None:
    c = Client()
    c.force_login(personas.auditor)
    _write(5, personas.program_office)
    few = _queries(c, "/audit/")
    _write(10, personas.program_office)  # 15 rows: still one page
    assert _queries(c, "/audit/") == few


def test_audit_list_filters_by_action_and_actor(personas: Any) -> None:
    _write(2, personas.program_office, action="finance_application.approve")
    _write(3, None, action="round.publish")
    c = Client()
    c.force_login(personas.program_office)
    html = c.get("/audit/?action=round.").content.decode()
    assert html.count("<code>round.publish</code>") == 3 and "finance_application" not in html
    html = c.get("/audit/?actor=po").content.decode()
    assert html.count("<code>finance_application.approve</code>") == 2 and "round.publish" not in html
