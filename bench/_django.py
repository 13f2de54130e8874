"""A fresh, migrated database for a benchmark, before Django starts (settings are read at start-up).

    from bench._django import setup_database
    url = setup_database(None, name="import")        # SQLite file in a new temporary directory
    url = setup_database("postgres://postgres@127.0.0.1:5432", name="import")   # nic1000_bench_import
    url = setup_database("postgres://postgres@127.0.0.1:5432/mydb")             # mydb, dropped and recreated
    url = setup_database("sqlite:////tmp/x/bench.sqlite3")                      # that file, recreated

PostgreSQL: the database is dropped and created again (connecting to the server's `postgres` database), so
never point it at a database you want to keep. `name` (when given) picks `nic1000_bench_<name>` as the
database. SQLite: the file is deleted first; NIC1000_DATA_DIR is pointed at a temporary directory so the
benchmark's files never touch var/. Returns the database URL in use.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _pg_recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", dbname or ""):
        raise ValueError(f"refusing an unusual database name {dbname!r}")
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def setup_database(url: str | None = None, *, name: str = "", verbosity: int = 0) -> str:
    """Point Django at a fresh database, start Django and run every migration. Call once, before
    `django.setup()` has run anywhere in the process."""
    from django.apps import apps

    if apps.ready:
        raise RuntimeError("setup_database() must run before Django is set up (settings are read once)")
    tmp = Path(tempfile.mkdtemp(prefix=f"nic1000-bench-{name or 'db'}-"))
    os.environ.setdefault("NIC1000_DATA_DIR", str(tmp))
    if url is None or url.startswith("sqlite"):
        if url is None:
            path = tmp / f"bench_{name or 'db'}.sqlite3"
            url = f"sqlite:///{path}"
        else:
            path = Path(urlsplit(url).path)
            path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        if name or not parts.path.strip("/"):
            parts = parts._replace(path=f"/nic1000_bench_{name or 'db'}")
            url = urlunsplit(parts)
        _pg_recreate(url)
    else:
        raise ValueError(f"unsupported database URL {url!r}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)
    return url


def describe(url: str) -> str:
    """The URL without a password, for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
