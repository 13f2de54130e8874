from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.audit.verify import audit_verify
from nic1000.ops.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `nic1000 backup`, then check the audit trail. Refuses a "
        "database that holds data (audit entries or users) unless --force. Stop the server and worker first; "
        "run `nic1000 migrate` afterwards when the backup is older than the code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            database_restore(path=path, using=options["database"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the database from {path}")
        checked, problems = audit_verify(using=options["database"])
        if problems:
            # The restore itself succeeded; a backup older than the newest anchor lacks the rows written since.
            for p in problems[:20]:
                self.stderr.write(f"row {p.seq}: {p.message}")
            self.stderr.write(
                f"WARNING: the restored audit trail does not verify (first bad row {problems[0].seq}): "
                "a backup older than the newest anchor, another AUDIT_KEY, or a damaged backup"
            )
        else:
            self.stdout.write(f"audit trail intact: {checked} rows verified")
