"""Backing up and restoring the whole database: `nic1000 backup FILE`, `nic1000 restore FILE`.

SQLite: the online backup API (a consistent copy while the application runs), both ways. PostgreSQL: `pg_dump`
in its custom format, restored with `pg_restore --clean --if-exists` in one transaction; the client tools must
be at least the server's major version (they are looked for in /usr/lib/postgresql/<major>/bin, then on PATH).
The audit key (AUDIT_KEY) and the anchor file are not in the database and so not in the backup: keep them apart.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A refusal or failure, with a message for the operator."""


@dataclass(frozen=True)
class Contents:
    audit_entries: int
    users: int

    @property
    def empty(self) -> bool:
        return self.audit_entries == 0 and self.users == 0


def database_contents(using: str = "default") -> Contents:
    """What the database holds that a restore would destroy: audit entries (every write leaves one) and users.
    A fresh or only migrated database holds neither."""
    conn = connections[using]
    tables = set(conn.introspection.table_names())
    counts = []
    for table in ("audit_auditentry", "accounts_user"):
        if table not in tables:
            counts.append(0)
            continue
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            row = cur.fetchone()
            counts.append(int(row[0]) if row else 0)
    return Contents(audit_entries=counts[0], users=counts[1])


def _describe(using: str) -> str:
    conn = connections[using]
    return str(conn.settings_dict["NAME"])


# --- SQLite ---------------------------------------------------------------------------------------------------


def _sqlite_connection(using: str) -> sqlite3.Connection:
    conn = connections[using]
    conn.ensure_connection()
    raw = conn.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _sqlite_backup(path: Path, using: str) -> None:
    part = path.with_name(path.name + ".part")
    dst = sqlite3.connect(part)
    try:
        _sqlite_connection(using).backup(dst)
    finally:
        dst.close()
    os.replace(part, path)


def _sqlite_restore(path: Path, using: str) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = src.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError(f"{path} is a damaged SQLite database: {check[0] if check else 'no answer'}")
        if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone():
            raise BackupError(f"{path} is an SQLite database but not a nic1000 backup (no django_migrations)")
        src.backup(_sqlite_connection(using))
    except sqlite3.Error as exc:
        raise BackupError(f"restoring {path} failed: {exc}") from exc
    finally:
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------------


def _major(version_text: str) -> int:
    found = re.search(r"\b(\d+)(?:\.\d+)?", version_text.split(")", 1)[-1])
    if not found:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(found.group(1))


def pg_tool(name: str, server_major: int) -> Path:
    """The client tool (pg_dump, pg_restore) for a server of this major version: the same major preferred, a newer
    one accepted (older ones cannot read a newer server)."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}"]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found: list[tuple[int, str]] = []
    for c in dict.fromkeys(candidates):
        if not os.access(c, os.X_OK):
            continue
        out = subprocess.run([c, "--version"], capture_output=True, text=True, check=False).stdout
        found.append((_major(out), c))
    for major, c in found:
        if major == server_major:
            return Path(c)
    newer = sorted((m, c) for m, c in found if m > server_major)
    if newer:
        return Path(newer[0][1])
    have = ", ".join(f"{c} ({m})" for m, c in found) or "none"
    raise BackupError(
        f"no {name} for PostgreSQL {server_major} (found: {have}); install postgresql-client-{server_major}"
    )


def _pg_env(using: str) -> tuple[dict[str, str], int]:
    conn = connections[using]
    conn.ensure_connection()
    s: dict[str, Any] = conn.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    env["PGDATABASE"] = str(s["NAME"])
    sslmode = (s.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    server_major = int(getattr(conn, "pg_version", 0)) // 10000
    return env, server_major


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_backup(path: Path, using: str) -> None:
    env, major = _pg_env(using)
    part = path.with_name(path.name + ".part")
    _run([str(pg_tool("pg_dump", major)), "--format=custom", f"--file={part}", env["PGDATABASE"]], env)
    os.replace(part, path)


def _pg_restore(path: Path, using: str) -> None:
    env, major = _pg_env(using)
    # Our own session is idle in autocommit (it holds no locks pg_restore's DROP TABLE would wait for).
    _run(
        [
            str(pg_tool("pg_restore", major)), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", f"--dbname={env['PGDATABASE']}", str(path),
        ],
        env,
    )  # fmt: skip


# --- Both -----------------------------------------------------------------------------------------------------


def database_backup(*, path: Path, using: str = "default", overwrite: bool = False) -> None:
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists; choose another file (or --overwrite)")
    if not path.parent.is_dir():
        raise BackupError(f"the directory {path.parent} does not exist")
    vendor = connections[using].vendor
    if vendor == "sqlite":
        _sqlite_backup(path, using)
    elif vendor == "postgresql":
        _pg_backup(path, using)
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")


def backup_kind(path: Path) -> str:
    """'sqlite' or 'postgresql', from the file's first bytes."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither an SQLite backup nor a pg_dump custom-format archive")


def database_restore(*, path: Path, using: str = "default", force: bool = False) -> Contents:
    """Replace the database's contents with the backup. Refuses a database holding data unless `force`; returns
    what it held before."""
    vendor = connections[using].vendor
    kind = backup_kind(path)
    if kind != vendor:
        raise BackupError(f"{path} is a {kind} backup; the database {_describe(using)} is {vendor}")
    if connections[using].in_atomic_block:
        raise BackupError("restore cannot run inside a transaction")
    before = database_contents(using)
    if not before.empty and not force:
        raise BackupError(
            f"the database {_describe(using)} is not empty ({before.audit_entries} audit entries, "
            f"{before.users} users): restoring would replace all of it. Use --force to replace it."
        )
    if vendor == "sqlite":
        _sqlite_restore(path, using)
    else:
        _pg_restore(path, using)
    return before
