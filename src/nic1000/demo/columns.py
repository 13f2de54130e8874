"""Generated values (model field names) → the import template's column names (registry.importing)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def to_columns(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out
