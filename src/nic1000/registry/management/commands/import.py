"""`nic1000 import {companies|patents|technologies|statements} FILE [--dry-run] [--as USERNAME]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import OFFICE
from nic1000.registry.fields import KINDS
from nic1000.registry.importing import registry_import_file


class Command(BaseCommand):
    help = (
        "Import an XLSX or CSV file into the registry (all or nothing). Prints every problem by row and "
        "column; exits non-zero when there are problems."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument(
            "--as", dest="as_user", default="", help="a programme-office username to act as (default: cli)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        acting_user = None
        if options["as_user"]:
            acting_user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if acting_user is None:
                raise CommandError(f"no active user {options['as_user']!r}")
            if not has_role(acting_user, OFFICE):
                raise CommandError(f"{acting_user.username!r} is not a programme-office user")
        try:
            report = registry_import_file(
                kind=options["kind"],
                file=path,
                filename=path.name,
                acting_user=acting_user,
                dry_run=options["dry_run"],
                actor_label="cli",
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        for p in report.problems:
            self.stderr.write(str(p))
        if report.more_problems:
            self.stderr.write(f"... and {report.more_problems} more problem(s)")
        prefix = "DRY RUN " if report.dry_run else ""
        summary = (
            f"{prefix}{report.kind}: {report.rows} rows, {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
        if not report.ok:
            raise CommandError(f"{report.problem_count} problem(s); nothing was written ({path.name})")
        self.stdout.write(summary)
