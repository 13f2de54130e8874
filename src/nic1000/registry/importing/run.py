"""The import services: read, parse and plan a file or records, then write the plan in one transaction.

All or nothing: one problem anywhere and nothing is written; the report lists every problem by row, column and
value. Who may import: the programme office anything, the system (CLI, demo generator; `acting_user` None)
anything, a company representative only their own company's statements (`statements_import` with their
company; a row of another company is a problem of that row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.errors import Conflict, Forbidden
from nic1000.core.roles import OFFICE, Role
from nic1000.registry.fields import FieldContext, fields_of
from nic1000.registry.importing.parsing import parse_cells
from nic1000.registry.importing.planning import PLANNERS
from nic1000.registry.importing.reading import Rows, Upload, file_rows, record_rows, upload_bytes
from nic1000.registry.importing.report import ImportReport
from nic1000.registry.importing.writing import plan_apply
from nic1000.registry.models import Company, FinancialStatement

_COMPANY_ROLE = frozenset({Role.COMPANY})


def registry_import_file(
    *,
    kind: str,
    file: Upload,
    filename: str,
    acting_user: User | None,
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportReport:
    """Import an XLSX or CSV file of `kind` (any company's rows). `actor_label` names the system actor when
    `acting_user` is None (e.g. "cli"). Statements go through `statements_import`."""
    if kind == "statements":
        return statements_import(
            company=None, file=file, filename=filename, acting_user=acting_user, dry_run=dry_run,
            actor_label=actor_label,
        )  # fmt: skip
    fields_of(kind)  # ValueError for an unknown kind
    _check_importer(acting_user, scope=None)
    return _import_file(kind=kind, scope=None, file=file, filename=filename, acting_user=acting_user,
                        dry_run=dry_run, actor_label=actor_label)  # fmt: skip


def statements_import(
    *,
    company: Company | None,
    file: Upload,
    filename: str,
    acting_user: User | None,
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportReport:
    """Import a statements file, scoped to `company` when given: a row of another company is a problem and
    nothing is written. A company representative imports their own company's only; the programme office any
    company's (`company` None: every row's BRN must be in the registry)."""
    _check_importer(acting_user, scope=company)
    return _import_file(kind="statements", scope=company, file=file, filename=filename, acting_user=acting_user,
                        dry_run=dry_run, actor_label=actor_label)  # fmt: skip


def registry_import_records(
    *,
    kind: str,
    records: Sequence[dict[str, Any]],
    acting_user: User | None,
    source: str = "import",
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportReport:
    """The same checks and writes for already-parsed dicts keyed by field name (`Field.name`), e.g. from the
    demo generator. Row numbers in problems count records from 1."""
    fields_of(kind)
    _check_importer(acting_user, scope=None)
    report = ImportReport(kind=kind, dry_run=dry_run, filename=f"({source})")
    rows = record_rows(kind=kind, records=records, report=report)
    if rows is None:
        return report
    return _run(kind=kind, rows=rows, report=report, acting_user=acting_user, actor_label=actor_label,
                source=source, dry_run=dry_run, scope=None)  # fmt: skip


def _check_importer(acting_user: User | None, *, scope: Company | None) -> None:
    if acting_user is None or has_role(acting_user, OFFICE):
        return
    if scope is not None and has_role(acting_user, _COMPANY_ROLE) and acting_user.company_id == scope.pk:
        return
    raise Forbidden(
        _("Only the programme office imports into the registry; a company imports its own statements only."),
        code="import_forbidden",
    )


def _import_file(
    *,
    kind: str,
    scope: Company | None,
    file: Upload,
    filename: str,
    acting_user: User | None,
    dry_run: bool,
    actor_label: str,
) -> ImportReport:
    report = ImportReport(kind=kind, dry_run=dry_run, filename=filename)
    data = upload_bytes(file, report)
    if data is None:
        return report
    report.sha256 = hashlib.sha256(data).hexdigest()
    rows = file_rows(kind=kind, data=data, filename=filename, report=report)
    del data
    if rows is None:
        return report
    return _run(kind=kind, rows=rows, report=report, acting_user=acting_user, actor_label=actor_label,
                source=FinancialStatement.Source.IMPORT, dry_run=dry_run, scope=scope)  # fmt: skip


def _run(
    *,
    kind: str,
    rows: Rows,
    report: ImportReport,
    acting_user: User | None,
    actor_label: str,
    source: str,
    dry_run: bool,
    scope: Company | None,
) -> ImportReport:
    """Parse, plan and (unless a dry run) write, in one transaction; the counts are zero when refused."""
    report.rows = len(rows.body)
    try:
        with transaction.atomic():
            ctx = FieldContext()
            table = parse_cells(
                mapped=rows.mapped, rows=rows.body, rownos=rows.rownos, ctx=ctx, report=report
            )
            plan = PLANNERS[kind](table=table, ctx=ctx, report=report, source=source, scope=scope)
            if report.problems or plan is None:
                return report
            report.created, report.updated, report.unchanged = (
                len(plan.creates),
                len(plan.updates),
                plan.unchanged,
            )
            if not dry_run:
                actor = acting_user if acting_user is not None else (actor_label or None)
                plan_apply(plan=plan, actor=actor, report=report)
    except IntegrityError as exc:  # a concurrent import created the same key between our read and write
        raise Conflict(
            _("The registry changed while the file was being imported; please import it again."),
            code="import_conflict",
        ) from exc
    return report
