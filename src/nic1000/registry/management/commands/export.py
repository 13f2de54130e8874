"""`nic1000 export registry OUT.xlsx` (or OUT.csv with --kind)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nic1000.registry.exporting import registry_export_csv, registry_export_xlsx
from nic1000.registry.fields import KINDS


class Command(BaseCommand):
    help = "Export the registry: an XLSX with companies, patents, technologies and statements (or one CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["registry"])
        parser.add_argument("out", type=Path, help="OUT.xlsx, or OUT.csv for one kind (--kind)")
        parser.add_argument("--kind", choices=KINDS, default="companies", help="for CSV output")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() == ".csv":
            data = registry_export_csv(acting_user=None, kind=options["kind"])
        else:
            data = registry_export_xlsx(acting_user=None)
        out.write_bytes(data)
        self.stdout.write(f"wrote {out} ({len(data):,} bytes)")
