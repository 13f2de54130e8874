from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.audit.verify import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `nic1000 audit verify` checks the hash chain for edits and deletions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = audit_verify()
        for p in problems[:50]:
            self.stderr.write(f"row {p.seq}: {p.message}")
        if problems:
            raise CommandError(f"audit trail BROKEN: {len(problems)} problem(s) in {checked} rows")
        self.stdout.write(f"audit trail intact: {checked} rows verified")
