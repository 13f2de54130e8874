"""Company side of monitoring: a representative submits their own company's statements (form or Excel).

Both go through the registry's services, with the representative as the acting user (and in the audit trail):
`registry.services.statement_submit` for the form, `registry.importing.statements_import` scoped to their
company for the file (a row of another company is a problem of that row; all or nothing, as every import).
"""

from __future__ import annotations

from typing import IO, Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.errors import ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import Role
from nic1000.registry.importing import statements_import
from nic1000.registry.models import Company, FinancialStatement
from nic1000.registry.services import statement_submit

_COMPANY_ROLE = frozenset({Role.COMPANY})


def _own(acting_user: User | AnonymousUser, company: Company) -> User:
    """The acting user when they represent `company` (the page passes whoever is signed in)."""
    if (
        isinstance(acting_user, User)
        and has_role(acting_user, _COMPANY_ROLE)
        and acting_user.company_id == company.pk
    ):
        return acting_user
    raise Forbidden(_("A company submits its own statements only."), code="statement_forbidden")


def statement_submit_own(
    *, company: Company, fiscal_year: int, values: dict[str, Any], acting_user: User | AnonymousUser
) -> FinancialStatement:
    representative = _own(acting_user, company)
    return statement_submit(
        company=company, fiscal_year=fiscal_year, values=values, acting_user=representative, source="form"
    )


def statement_upload_own(
    *, company: Company, upload: IO[bytes] | bytes, acting_user: User | AnonymousUser
) -> int:
    """Import the statements template for the user's own company; returns the rows imported. Any problem
    (a row of another company, a file that cannot be read) refuses the whole file: ValidationFailed with one
    detail per problem."""
    representative = _own(acting_user, company)
    report = statements_import(
        company=company,
        file=upload,
        filename=str(getattr(upload, "name", "") or "upload"),
        acting_user=representative,
    )
    if not report.ok:
        raise ValidationFailed(
            _("The file has problems; nothing was imported."),
            [ErrorDetail(message=p.both, row=p.row, column=p.column, value=p.value) for p in report.problems],
            code="import_problems",
        )
    return report.written
