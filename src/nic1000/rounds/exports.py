"""The published selection as an Excel file, written with `core.excel` (formula-safe text cells)."""

from __future__ import annotations

from collections.abc import Iterable

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.registry.regions import REGION_KO
from nic1000.rounds.models import PublishedSelection, Round

HEADER = [
    "순위 Rank",
    "기업명 Company",
    "추천기관 Body",
    "추천기관(전체) All bodies",
    "분야 Sector",
    "지역 Region",
]


def selections_xlsx(*, round: Round, rows: Iterable[PublishedSelection]) -> bytes:
    data = (
        [r.rank, r.company_name, r.body.code, r.bodies, r.sector, REGION_KO.get(r.region, r.region)]
        for r in rows
    )
    sheet = Sheet(
        title=f"Round {round.number}",
        header=HEADER,
        rows=data,
        widths={0: 10, 1: 40, 2: 14, 3: 24, 4: 18, 5: 16},
    )
    return xlsx_write([sheet])
