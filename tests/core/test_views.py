"""Notifications: the list's query count does not grow with rows; reading is scoped to the recipient."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nic1000.activity.services import notify
from nic1000.core.models import Notification

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    client.get(url)  # first requests also set up the session and the programme settings row
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _notify(user: Any, n: int) -> None:
    for i in range(n):
        notify(
            recipients=[user],
            kind="inspection",
            title=f"Note {i}",
            body="…",
            link="/finance/terms/" if i % 2 else "",
        )


def test_notifications_queries_do_not_grow_with_rows(personas: Any) -> None:
    c = Client()
    c.force_login(personas.company_a)
    _notify(personas.company_a, 3)
    few = _queries(c, "/notifications/")
    _notify(personas.company_a, 6)
    html = c.get("/notifications/").content.decode()
    assert html.count("Note ") == 9
    assert _queries(c, "/notifications/") == few


def test_a_notification_is_read_only_by_its_recipient(personas: Any) -> None:
    _notify(personas.company_a, 1)
    note = Notification.objects.get()
    other = Client()
    other.force_login(personas.company_b)
    assert other.post(f"/notifications/{note.pk}/read/").status_code == 404
    own = Client()
    own.force_login(personas.company_a)
    assert own.post(f"/notifications/{note.pk}/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
