"""The published selection as an Excel file, written with `core.excel` (formula-safe text cells)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.core.sectors import sector_label
from nic1000.rounds.models import PublishedSelection, Round

# Headers in the exporter's language (lazy labels written by core.excel); cells show labels, never codes.
HEADER = [
    _("Rank"),
    _("Company"),
    _("Nominating body"),
    _("All nominating bodies"),
    _("Sector"),
    _("Region"),
]


def selections_xlsx(*, round: Round, rows: Iterable[PublishedSelection]) -> bytes:
    data = (
        [r.rank, r.company_name, r.body.name_ko, r.bodies, sector_label(r.sector), r.get_region_display()]
        for r in rows
    )
    sheet = Sheet(
        title=gettext("Round %(n)s") % {"n": round.number},
        header=HEADER,
        rows=data,
        widths={0: 10, 1: 40, 2: 14, 3: 24, 4: 18, 5: 16},
    )
    return xlsx_write([sheet])
