"""Loading the shipped reference data (KSIC 10th revision, participating bodies, institutions).

Takes the model classes so the data migration can pass its historical models and tests can reload after a flush.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def load_reference_data(KsicCode: Any, Body: Any, Institution: Any) -> None:
    if not KsicCode.objects.exists():
        with open(DATA / "ksic" / "ksic10.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for level in range(1, 6):
            KsicCode.objects.bulk_create(
                [
                    KsicCode(
                        code=r["code"],
                        name=r["name"],
                        level=level,
                        parent_id=None if level == 1 else (r["section"] if level == 2 else r["code"][:-1]),
                        section=r["section"],
                    )
                    for r in rows
                    if int(r["level"]) == level
                ]
            )
    reference = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))
    for i, b in enumerate(reference["bodies"]):
        Body.objects.update_or_create(
            code=b["code"],
            defaults={
                "name_ko": b["name_ko"],
                "name_en": b["name_en"],
                "kind": b["kind"],
                "active": b.get("active", True),
                "sort_order": i,
            },
        )
    for i, inst in enumerate(reference["institutions"]):
        Institution.objects.update_or_create(
            code=inst["code"],
            defaults={
                "name_ko": inst["name_ko"],
                "name_en": inst["name_en"],
                "kind": inst["kind"],
                "sort_order": i,
            },
        )
