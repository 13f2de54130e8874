from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.audit.anchors import anchor_path, anchors_read, audit_anchor
from nic1000.audit.verify import audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `nic1000 audit verify` checks the signed hash chain against the key and every anchor "
        "(exit status 1 and the first bad row when broken); `nic1000 audit anchor` appends the chain's head to "
        "the anchor file (AUDIT_ANCHOR_FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument(
            "--anchors", type=Path, default=None, help="anchor file (default AUDIT_ANCHOR_FILE)"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["anchors"] or anchor_path()
        if options["action"] == "anchor":
            a = audit_anchor(path=path, using=options["database"])
            self.stdout.write(f"anchored the audit trail at row {a.seq} ({a.hash[:16]}…) in {path}")
            return
        checked, problems = audit_verify(using=options["database"], anchors_path=path)
        for p in problems[:50]:
            self.stderr.write(f"row {p.seq}: {p.message}")
        if problems:
            raise CommandError(
                f"audit trail BROKEN: first bad row {problems[0].seq}; {len(problems)} problem(s) in {checked} rows"
            )
        anchors = len(anchors_read(path)[0])
        self.stdout.write(
            f"audit trail intact: {checked} rows verified against {anchors} anchor(s) in {path}"
        )
