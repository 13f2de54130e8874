"""The checks behind /healthz (django-health-check): database, migrations applied, worker heartbeat.

Each check runs its Django work through sync_to_async, so it uses the request thread's connection.
"""

from __future__ import annotations

import dataclasses

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.checks import Database as _LibraryDatabase
from health_check.exceptions import ServiceUnavailable

from nic1000.monitoring.heartbeat import heartbeat_age


@dataclasses.dataclass
class Database(HealthCheck):  # type: ignore[misc]
    """SELECT 1 on the default database."""

    alias: str = DEFAULT_DB_ALIAS

    async def run(self) -> None:
        await sync_to_async(_LibraryDatabase(alias=self.alias).run)()


def _unapplied_migrations(alias: str) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):  # type: ignore[misc]
    """Every migration of the code is applied (a new release whose migrate has not run is not healthy)."""

    alias: str = DEFAULT_DB_ALIAS

    async def run(self) -> None:
        pending = await sync_to_async(_unapplied_migrations)(self.alias)
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations not applied")


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):  # type: ignore[misc]
    """A background worker (`nic1000 worker`) beat within NIC1000_WORKER_STALE_SECONDS."""

    async def run(self) -> None:
        age = await sync_to_async(heartbeat_age)()
        if age is None:
            raise ServiceUnavailable("no worker heartbeat")
        stale: int = settings.NIC1000_WORKER_STALE_SECONDS
        if age > stale:
            raise ServiceUnavailable(f"last worker heartbeat {age:.0f} s ago")
