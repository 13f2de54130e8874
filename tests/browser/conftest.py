"""The browser tests' fixtures: Debian's Chromium through Playwright, and the live server's connections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _end_leftover_sessions(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Once the browser tests are over, end the live server's leftover database sessions on PostgreSQL: a request
    thread of the server can leave its connection open, and PostgreSQL refuses to drop a test database that still
    has a session. Done once at the end: ended between tests, a session this process still used was cut under
    the next test ("terminating connection due to administrator command")."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def request_connections(transactional_db: None, live_server: Any) -> Any:
    """What a browser walk needs of the database: a real transaction per request and the live server."""
    yield


@pytest.fixture
def browser() -> Any:
    # The Makefile installs Debian's Chromium; without it this test must fail, not skip.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make install` (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()
