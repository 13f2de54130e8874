"""`nic1000 serve`: gunicorn with the settings' bind and workers, static files collected, no pending migrations."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from nic1000.ops.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(serve._Gunicorn, "run", lambda self: runs.append(dict(self.options)))
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: runs.append({"collectstatic": a}))
    monkeypatch.setattr(serve.connections, "close_all", lambda: runs.append({"closed": True}))
    return runs


def test_serve_runs_gunicorn_from_the_settings(ran: list[dict[str, Any]], settings: Any) -> None:
    settings.NIC1000_BIND = "0.0.0.0:9000"
    settings.NIC1000_WEB_WORKERS = 3
    settings.NIC1000_WEB_THREADS = 4
    call_command("serve")
    # Static files collected, then no database connection left to be shared by the forked workers.
    assert ran[:2] == [{"collectstatic": ("collectstatic",)}, {"closed": True}]
    options = ran[2]
    assert (options["bind"], options["workers"], options["threads"]) == ("0.0.0.0:9000", 3, 4)
    assert options["timeout"] == settings.NIC1000_WEB_TIMEOUT
    assert options["logconfig_dict"]["loggers"]["gunicorn.error"]["handlers"] == ["console"]
    ran.clear()
    call_command("serve", "--no-collectstatic", "--workers", "2", "--bind", "127.0.0.1:8123")
    assert [(r["bind"], r["workers"]) for r in ran if "bind" in r] == [("127.0.0.1:8123", 2)]


def test_serve_refuses_with_migrations_pending(
    ran: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "_unapplied_migrations", lambda alias: ["rounds.0099_next"])
    with pytest.raises(CommandError, match="1 migrations are not applied"):
        call_command("serve")
    assert ran == []


def test_the_wsgi_application_loads() -> None:
    app = serve._Gunicorn.__new__(serve._Gunicorn).load()
    assert callable(app)
