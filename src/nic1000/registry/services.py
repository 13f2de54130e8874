"""Writes to the company registry one object at a time (forms, API, other apps).

The values are read by the registry's field rules (`registry.fields`, the same as imports): BRN check digit, KSIC
sub-class, region names, dates not in the future, counts not negative; statements must balance. Files and
batches go through `registry.importing` (`registry_import_file`, `statements_import`).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import has_role, require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import OFFICE, Role
from nic1000.registry.fields import COMPANY_FIELDS, STATEMENT_FIELDS, FieldContext, values_convert
from nic1000.registry.models import Company, FinancialStatement
from nic1000.registry.statement_items import ITEM_NAMES, statement_problems

# What a company representative may change about their own company.
COMPANY_REP_FIELDS = frozenset(
    {
        "name_ko",
        "name_en",
        "address",
        "employees",
        "website",
        "representative",
        "region",
        "founded_on",
        "ksic",
    }
)
_COMPANY_ROLE = frozenset({Role.COMPANY})
_AUDIT_FIELDS = [
    "name_ko", "name_en", "brn", "ksic_id", "ksic_section", "region", "address", "founded_on", "employees",
    "is_sme", "is_listed", "website", "representative",
]  # fmt: skip
_STATEMENT_FIELDS = [f for f in STATEMENT_FIELDS if f.name == "fiscal_year" or f.name in ITEM_NAMES]


def _represents(user: User | None, company: Company) -> bool:
    """A company representative of this company."""
    return user is not None and has_role(user, _COMPANY_ROLE) and user.company_id == company.pk


def _brn_taken(given: object) -> ErrorDetail:
    return ErrorDetail(
        message=_("a company with this BRN is already registered"), field="brn", value=given, code="duplicate"
    )


def _apply_company(company: Company, values: dict[str, Any], ctx: FieldContext) -> None:
    for name, value in values.items():
        if name == "ksic":
            company.ksic_id = value
            company.ksic_section = ctx.ksic[value]
            continue
        if value is None:  # an emptied optional field takes the model default
            f = Company._meta.get_field(name)
            assert isinstance(f, models.Field)  # the company fields are concrete
            value = f.get_default() if f.has_default() else ""
        setattr(company, name, value)


@transaction.atomic
def company_create(*, acting_user: User | None, **fields: Any) -> Company:
    """Register one company (the programme office, or the system). Fields by name (`fields.COMPANY_FIELDS`);
    `ksic` is a sub-class code."""
    if acting_user is not None:
        require_role(acting_user, OFFICE, message=_("Only the programme office registers companies."))
    return company_register(acting_user=acting_user, **fields)


@transaction.atomic
def company_register(*, acting_user: User | None, **fields: Any) -> Company:
    """`company_create` without its role check, for a service that authorises the writer itself (a ministry
    officer registers the company they nominate: `rounds.services.nominations`). Same validation and audit."""
    ctx = FieldContext()
    values, problems = values_convert(fields, COMPANY_FIELDS, ctx, require=True)
    if not problems and Company.objects.filter(brn=values["brn"]).exists():
        problems.append(_brn_taken(fields.get("brn")))
    if problems:
        raise ValidationFailed(_("The company could not be registered."), details=problems)
    company = Company()
    _apply_company(company, values, ctx)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError as exc:
        raise Conflict(_("A company with this BRN is already registered."), code="brn_exists") from exc
    audit_record(
        actor=acting_user,
        action="company.create",
        obj=company,
        changes=created(snapshot(company, _AUDIT_FIELDS)),
    )
    return company


def _check_company_change(acting_user: User | None, company: Company, fields: dict[str, Any]) -> None:
    if acting_user is None or has_role(acting_user, OFFICE):
        return
    if not _represents(acting_user, company):
        raise Forbidden(_("You may not change this company."), code="company_update_forbidden")
    refused = sorted(set(fields) - COMPANY_REP_FIELDS)
    if refused:
        raise Forbidden(
            _("A company representative may not change: %(fields)s") % {"fields": ", ".join(refused)},
            code="company_update_forbidden",
        )


@transaction.atomic
def company_update(*, company: Company, acting_user: User | None, **fields: Any) -> Company:
    """Change some fields of a company (the programme office; a representative for their own company, not
    its BRN or SME/listing status: a change of name is real, the BRN stays the key)."""
    _check_company_change(acting_user, company, fields)
    locked = Company.objects.select_for_update().get(pk=company.pk)
    ctx = FieldContext()
    values, problems = values_convert(fields, COMPANY_FIELDS, ctx, require=False)
    if "brn" in values and values["brn"] != locked.brn and Company.objects.filter(brn=values["brn"]).exists():
        problems.append(_brn_taken(fields.get("brn")))
    if problems:
        raise ValidationFailed(_("The company could not be changed."), details=problems)
    before = snapshot(locked, _AUDIT_FIELDS)
    _apply_company(locked, values, ctx)
    changes = diff(before, snapshot(locked, _AUDIT_FIELDS))
    if changes:
        locked.save()
        audit_record(actor=acting_user, action="company.update", obj=locked, changes=changes)
    return locked


def _statement_values(fiscal_year: object, values: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """The fiscal year and the items, read and checked (ValidationFailed listing every problem)."""
    given = {"fiscal_year": fiscal_year, **values}
    converted, problems = values_convert(given, _STATEMENT_FIELDS, FieldContext(), require=True)
    if not problems:
        for fld, message in statement_problems(converted):
            problems.append(
                ErrorDetail(message=str(message), field=fld, value=converted.get(fld), code="inconsistent")
            )
    if problems:
        raise ValidationFailed(_("The financial statement has problems."), details=problems)
    items = {n: (0 if converted.get(n) is None else int(converted[n])) for n in ITEM_NAMES}
    return int(converted["fiscal_year"]), items


@transaction.atomic
def statement_submit(
    *,
    company: Company,
    fiscal_year: int,
    values: dict[str, Any],
    acting_user: User | None,
    source: str = "form",
    credit_delinquency: bool = False,
) -> FinancialStatement:
    """Create or replace one company's statement for one fiscal year (company representatives submit their
    own; the programme office and the system may submit for any company). Values keyed by item name."""
    if (
        acting_user is not None
        and not has_role(acting_user, OFFICE)
        and not _represents(acting_user, company)
    ):
        raise Forbidden(_("You may not submit statements for this company."), code="statement_forbidden")
    if source not in FinancialStatement.Source.values:
        raise ValidationFailed(_("Unknown source %(source)s.") % {"source": source}, code="invalid_source")
    year, items = _statement_values(fiscal_year, values)
    audit_fields = [*ITEM_NAMES, "credit_delinquency", "source"]
    existing = (
        FinancialStatement.objects.select_for_update().filter(company=company, fiscal_year=year).first()
    )
    now = timezone.now()
    if existing is None:
        statement = FinancialStatement(
            company=company,
            fiscal_year=year,
            credit_delinquency=bool(credit_delinquency),
            source=source,
            submitted_at=now,
            **items,
        )
        statement.save()
        audit_record(
            actor=acting_user,
            action="statement.submit",
            obj=statement,
            changes=created(snapshot(statement, ["company_id", "fiscal_year", *audit_fields])),
        )
        return statement
    before = snapshot(existing, audit_fields)
    for name, value in items.items():
        setattr(existing, name, value)
    existing.credit_delinquency = bool(credit_delinquency)
    existing.source = source
    changes = diff(before, snapshot(existing, audit_fields))
    if changes:
        existing.submitted_at = now
        existing.save()
        audit_record(actor=acting_user, action="statement.submit", obj=existing, changes=changes)
    return existing
