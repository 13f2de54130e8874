from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.ops.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE while the application runs: SQLite's online backup (an SQLite file), "
        "or pg_dump's custom format on PostgreSQL. The audit key and anchor file are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            database_backup(path=path, using=options["database"], overwrite=options["overwrite"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backed up the database to {path} ({path.stat().st_size} bytes)")
