"""The background worker's heartbeat: a timestamp in the shared cache, read by /healthz."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone

HEARTBEAT_KEY = "nic1000:worker-heartbeat"
log = logging.getLogger("nic1000.worker")


def heartbeat_write() -> None:
    """Record that a worker is alive now (the cache is the database cache every process shares)."""
    cache.set(
        HEARTBEAT_KEY,
        {"at": timezone.now().isoformat(), "host": socket.gethostname(), "pid": os.getpid()},
        timeout=None,
    )


def heartbeat_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the last heartbeat of any worker, None when no worker ever beat."""
    beat = cache.get(HEARTBEAT_KEY)
    if not isinstance(beat, dict) or "at" not in beat:
        return None
    return ((now or timezone.now()) - dt.datetime.fromisoformat(beat["at"])).total_seconds()


def heartbeat_loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            heartbeat_write()
        except Exception:  # keep beating; the error is logged
            log.exception("worker heartbeat failed")
        finally:
            close_old_connections()
        stop.wait(interval)
