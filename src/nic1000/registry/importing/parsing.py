"""Parsing an import's cells into field values, column by column, with the registry's field rules
(`registry.fields`). Every problem goes to the report; the rows that had one are remembered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nic1000.registry.fields import Field, FieldContext, column_convert
from nic1000.registry.importing.report import ImportReport

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Table:
    """Parsed columns: field name → values (None where empty), with the row number of each row."""

    rownos: list[int]
    values: dict[str, list[Any]]
    bad_rows: set[int]  # indexes of rows with a problem

    def __len__(self) -> int:
        return len(self.rownos)

    def problem(self, i: int, column: str, value: Any, message: StrOrPromise, report: ImportReport) -> None:
        """Report a problem of row `i` and mark the row."""
        report.add(self.rownos[i], column, value, message)
        self.bad_rows.add(i)


def parse_cells(
    *,
    mapped: list[Field | None],
    rows: list[list[Any]],
    rownos: list[int],
    ctx: FieldContext,
    report: ImportReport,
) -> Table:
    """Every cell read into its field (no per-row queries: the context holds the reference data)."""
    table = Table(rownos=rownos, values={}, bad_rows=set())
    for j, field in enumerate(mapped):
        if field is None:
            continue
        values, problems = column_convert(field, [row[j] for row in rows], ctx)
        label = field.header
        for p in problems:
            table.problem(p.index, label, "" if p.value is None else p.value, p.message, report)
        table.values[field.name] = values
    return table
