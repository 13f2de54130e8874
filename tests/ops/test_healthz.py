"""/healthz for load balancers: database, migrations, worker heartbeat; public JSON, 200 or 503."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from nic1000.monitoring.heartbeat import HEARTBEAT_KEY, heartbeat_write

pytestmark = pytest.mark.django_db


def _healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthy_with_a_live_worker() -> None:
    heartbeat_write()
    status, body = _healthz()
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"Database", "MigrationsApplied", "WorkerHeartbeat"}
    assert all(c["ok"] for c in body["checks"].values())


def test_unavailable_without_a_worker_or_with_a_silent_one(settings: Any) -> None:
    cache.delete(HEARTBEAT_KEY)
    status, body = _healthz()
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["WorkerHeartbeat"] == {"ok": False, "error": "no worker heartbeat"}
    assert body["checks"]["Database"]["ok"] and body["checks"]["MigrationsApplied"]["ok"]
    old = timezone.now() - dt.timedelta(seconds=settings.NIC1000_WORKER_STALE_SECONDS + 30)
    cache.set(HEARTBEAT_KEY, {"at": old.isoformat(), "host": "h", "pid": 1}, timeout=None)
    status, body = _healthz()
    assert status == 503 and "ago" in body["checks"]["WorkerHeartbeat"]["error"]


def test_unavailable_while_a_migration_is_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    heartbeat_write()
    monkeypatch.setattr("nic1000.ops.health._unapplied_migrations", lambda alias: ["rounds.0099_next"])
    status, body = _healthz()
    assert status == 503
    assert body["checks"]["MigrationsApplied"] == {"ok": False, "error": "1 migrations not applied"}


def test_a_plain_http_probe_is_not_redirected_to_https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    heartbeat_write()
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/").status_code == 301


def test_the_worker_beats(monkeypatch: pytest.MonkeyPatch) -> None:
    """`nic1000 worker` starts the heartbeat thread beside the task loop."""
    import threading

    from nic1000.monitoring.management.commands import worker

    started: list[str] = []
    real_start = threading.Thread.start

    def record(self: threading.Thread) -> None:
        started.append(self.name)
        if self.name != "heartbeat":
            real_start(self)

    monkeypatch.setattr(threading.Thread, "start", record)
    monkeypatch.setattr(worker.DbWorkerCommand, "handle", lambda self, *a, **k: None)
    worker.Command().handle(no_schedule=True, schedule_interval=60.0, batch=False, queue_name="default")
    assert started == ["heartbeat"]
    cache.delete(HEARTBEAT_KEY)
    from nic1000.monitoring.heartbeat import heartbeat_loop

    class OneBeat(threading.Event):
        def is_set(self) -> bool:
            beats.append(1)
            return len(beats) > 1

    beats: list[int] = []
    # The loop closes stale connections, as a long-lived thread must; not this test's open transaction.
    monkeypatch.setattr("nic1000.monitoring.heartbeat.close_old_connections", lambda: None)
    heartbeat_loop(OneBeat(), 0.0)
    assert cache.get(HEARTBEAT_KEY)["pid"] > 0
