"""`nic1000 report KIND ... --out FILE.pdf`: the programme's PDF documents from the command line.

Each kind is one `Subcommand` in `SUBCOMMANDS`: its arguments and a function from the parsed options to the
PDF's bytes. Adding a document is one more entry (every kind gets `--out`)."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.core.errors import ApplicationError
from nic1000.reports import certificates, finance_letter, profiles, quarterly, round_report
from nic1000.reports.pdfread import pdf_page_count


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    arguments: Callable[[ArgumentParser], object]
    render: Callable[[dict[str, Any]], bytes]


def _certificate(options: dict[str, Any]) -> bytes:
    membership = certificates.membership_for_brn(brn=options["brn"])
    return certificates.certificate_pdf(membership=membership, site_url=options["site_url"])


def _certificate_args(p: ArgumentParser) -> None:
    p.add_argument("brn", help="the company's business registration number (123-45-67890 or 1234567890)")
    p.add_argument(
        "--site-url", default=None, help="the site address in the QR code (default NIC1000_SITE_URL)"
    )


def _round(options: dict[str, Any]) -> bytes:
    return round_report.round_report_pdf(round=round_report.round_by_number(number=options["number"]))


def _letter(options: dict[str, Any]) -> bytes:
    return finance_letter.letter_pdf(application=finance_letter.letter_application(pk=options["application"]))


def _risk(options: dict[str, Any]) -> bytes:
    return profiles.risk_pdf(company=profiles.company_by_brn(brn=options["brn"]))


def _case(options: dict[str, Any]) -> bytes:
    return profiles.case_pdf(case=profiles.case_by_pk(pk=options["case"]))


def _quarter(options: dict[str, Any]) -> bytes:
    return quarterly.quarterly_file(str(options["period"]), options["out"])


SUBCOMMANDS: list[Subcommand] = [
    Subcommand(
        "certificate", "a designated company's certificate of designation", _certificate_args, _certificate
    ),
    Subcommand(
        "round",
        "the round report for the selection committee",
        lambda p: p.add_argument("number", type=int, help="the round's number in the programme, e.g. 3"),
        _round,
    ),
    Subcommand(
        "letter",
        "the decision letter of a policy-finance application",
        lambda p: p.add_argument("application", type=int, help="the application's id (F-00012 is 12)"),
        _letter,
    ),
    Subcommand(
        "risk",
        "a designated company's risk profile",
        lambda p: p.add_argument("brn", help="the company's business registration number"),
        _risk,
    ),
    Subcommand(
        "case",
        "a support case's summary",
        lambda p: p.add_argument("case", type=int, help="the support case's number"),
        _case,
    ),
    Subcommand(
        "quarter",
        "the quarterly report to the FSC, per ministry and per institution (FILE.xlsx or FILE.pdf)",
        lambda p: p.add_argument("period", help="the quarter, e.g. 2026Q3 (Asia/Seoul dates)"),
        _quarter,
    ),
]


class Command(BaseCommand):
    help = "Write one of the programme's PDF documents: " + ", ".join(s.name for s in SUBCOMMANDS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for sub in SUBCOMMANDS:
            p = kinds.add_parser(sub.name, help=sub.help, description=sub.help)
            sub.arguments(p)
            p.add_argument("--out", type=Path, required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        sub = next(s for s in SUBCOMMANDS if s.name == options["kind"])
        out: Path = options["out"]
        try:
            data = sub.render(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        pages = f", {pdf_page_count(data)} pages" if data[:4] == b"%PDF" else ""
        self.stdout.write(f"wrote {out} ({len(data):,} bytes{pages})")
