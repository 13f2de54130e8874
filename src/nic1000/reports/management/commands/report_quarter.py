"""`nic1000 report_quarter 2026Q3 --out FILE.xlsx|FILE.pdf`: the quarterly report to the FSC.

The arguments and the work are in `add_quarter_arguments` / `handle_quarter`, so `nic1000 report quarter ...`
(the `report` command with its subcommands) runs the same code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.reports.quarterly import ReportError, write_report


def add_quarter_arguments(parser: CommandParser) -> None:
    parser.add_argument("period", help="the quarter, e.g. 2026Q3 (Asia/Seoul dates)")
    parser.add_argument("--out", required=True, type=Path, help="the file to write: FILE.xlsx or FILE.pdf")


def handle_quarter(command: BaseCommand, options: dict[str, Any]) -> None:
    out: Path = options["out"]
    if not out.parent.is_dir():
        raise CommandError(f"The folder {out.parent} does not exist.")
    try:
        path = write_report(str(options["period"]), out)
    except ReportError as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")


class Command(BaseCommand):
    help = "The quarterly report to the FSC, per ministry and per institution, as Excel or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        add_quarter_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        handle_quarter(self, options)
