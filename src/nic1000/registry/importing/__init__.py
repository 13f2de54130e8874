"""Registry imports: companies, patents, core technologies and financial statements from XLSX or CSV.

The steps, one module each: `reading` (the upload, its rows, which field each column is), `parsing` (cells into
field values by the rules of `registry.fields`), `planning` (per kind: what is created, changed or unchanged, and
the rules across rows), `writing` (bulk writes and the audit trail), `run` (the services: who may import, one
transaction, all or nothing), `report` and `template` (the downloadable templates).
"""

from __future__ import annotations

from nic1000.registry.fields import KINDS
from nic1000.registry.importing.report import MAX_PROBLEMS, ImportReport, RowProblem
from nic1000.registry.importing.run import registry_import_file, registry_import_records, statements_import
from nic1000.registry.importing.template import template_workbook

__all__ = [
    "KINDS",
    "MAX_PROBLEMS",
    "ImportReport",
    "RowProblem",
    "registry_import_file",
    "registry_import_records",
    "statements_import",
    "template_workbook",
]
