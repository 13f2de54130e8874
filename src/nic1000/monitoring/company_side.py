"""Company side of monitoring: a representative submits their own company's statements (form or Excel).

Both paths go through the registry's write paths: `registry.services.statement_submit` for the form and
`registry.importing.registry_import_file(kind="statements")` for the file. The registry import is the
programme office's tool, so this module first checks that **every row's BRN is the representative's own
company** and only then runs the import as the system, labelled with the representative's user name in the
audit trail (all or nothing, as every registry import).
"""

from __future__ import annotations

from typing import Any

from nic1000.core.errors import ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import Role
from nic1000.registry.models import Company, FinancialStatement


def _own(acting_user: Any, company: Company) -> None:
    if getattr(acting_user, "role", None) != Role.COMPANY or acting_user.company_id != company.pk:
        raise Forbidden("A company submits its own statements only", code="statement_forbidden")


def statement_submit_own(
    *, company: Company, fiscal_year: int, values: dict[str, Any], acting_user: Any
) -> FinancialStatement:
    from nic1000.registry.services import statement_submit

    _own(acting_user, company)
    return statement_submit(
        company=company, fiscal_year=fiscal_year, values=values, acting_user=acting_user, source="form"
    )


def statement_upload_own(*, company: Company, upload: Any, acting_user: Any) -> int:
    """Import the statements template for the user's own company; returns the rows imported.
    Any row of another company (or a file that cannot be read) refuses the whole file."""
    from nic1000.core.excel import FileRefused, read_rows, sniff_format
    from nic1000.core.identifiers import brn_compact
    from nic1000.registry.importing import registry_import_file, template_column_index

    _own(acting_user, company)
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    filename = getattr(upload, "name", "upload")
    try:
        rows = read_rows(data, sniff_format(data))
    except FileRefused as exc:
        raise ValidationFailed(
            f"The file cannot be read: {exc.message_en} / {exc.message_ko}", code="file_refused"
        ) from exc
    rows = [r for r in rows if any(c not in (None, "") and str(c).strip() for c in r)]
    if len(rows) < 2:
        raise ValidationFailed("The file has no data rows", code="empty_file")
    col = template_column_index("statements", list(rows[0]), "brn")
    if col is None:
        raise ValidationFailed(
            "The file has no business registration number column",
            [ErrorDetail(message="missing column", column="brn")],
            code="missing_brn",
        )
    foreign = []
    for n, row in enumerate(rows[1:], start=2):
        raw = row[col] if col < len(row) else ""
        if brn_compact(str(raw or "")) != company.brn:
            foreign.append(ErrorDetail(message="another company's BRN", row=n, column="brn", value=raw))
    if foreign:
        raise Forbidden(
            f"Rows {', '.join(str(d.row) for d in foreign[:10])} belong to another company: "
            "you may upload your own statements only",
            code="statement_forbidden",
        )
    report = registry_import_file(
        kind="statements",
        file=data,
        filename=filename,
        acting_user=None,
        actor_label=f"company:{acting_user.username}",
    )
    if not report.ok:
        raise ValidationFailed(
            "The file has problems; nothing was imported",
            [
                ErrorDetail(
                    message=f"{p.message_en} / {p.message_ko}", row=p.row, column=p.column, value=p.value
                )
                for p in report.problems
            ],
            code="import_problems",
        )
    return report.created + report.updated + report.unchanged
