"""Writes to the company registry one object at a time (forms, API, other apps).

The same cell rules as imports (`registry.importing`): BRN check digit, KSIC sub-class, region names, dates not
in the future, counts not negative, statements that balance. Bulk writes go through `registry.importing`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import Role
from nic1000.registry.importing import COMPANY_COLUMNS, STATEMENT_COLUMNS, Column, _Bad, _Context
from nic1000.registry.models import Company, FinancialStatement, KsicCode
from nic1000.registry.statement_items import ITEM_NAMES, statement_problems

_COMPANY_COLUMNS = {c.name: c for c in COMPANY_COLUMNS}
_STATEMENT_COLUMNS = {c.name: c for c in STATEMENT_COLUMNS}
COMPANY_FIELDS = tuple(_COMPANY_COLUMNS)  # name_ko, name_en, brn, ksic, region, ...
# What a company representative may change about their own company.
COMPANY_REP_FIELDS = frozenset(
    {"name_en", "address", "employees", "website", "representative", "region", "founded_on", "ksic"}
)
_AUDIT_FIELDS = [
    "name_ko", "name_en", "brn", "ksic_id", "ksic_section", "region", "address", "founded_on", "employees",
    "is_sme", "is_listed", "website", "representative",
]  # fmt: skip


def _msg(en: str, ko: str) -> str:
    lang = translation.get_language() or "ko"
    return ko if lang.startswith("ko") else en


def _is_programme_office(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", None) == Role.PROGRAM_OFFICE


def _convert_fields(
    fields: dict[str, Any], columns: dict[str, Column], ctx: _Context, *, require: bool
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    out: dict[str, Any] = {}
    problems: list[ErrorDetail] = []
    for name, value in fields.items():
        col = columns.get(name)
        if col is None:
            problems.append(ErrorDetail(message=_msg("unknown field", "알 수 없는 항목입니다"), field=name))
            continue
        if name == "ksic" and isinstance(value, KsicCode):
            value = value.code
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            if col.required:
                problems.append(
                    ErrorDetail(
                        message=_msg("a value is required", "필수 입력 항목입니다"),
                        field=name,
                        code="required",
                    )
                )
            else:
                out[name] = None
            continue
        try:
            x = ctx.converter(col)(value)
        except _Bad as bad:
            problems.append(
                ErrorDetail(message=_msg(bad.en, bad.ko), field=name, value=value, code="invalid")
            )
            continue
        if col.max_length is not None and len(x) > col.max_length:
            problems.append(
                ErrorDetail(
                    message=_msg(
                        f"too long (at most {col.max_length} characters)",
                        f"너무 깁니다 (최대 {col.max_length}자)",
                    ),
                    field=name,
                    value=value,
                    code="too_long",
                )
            )
            continue
        if col.not_future and isinstance(x, dt.date) and x > ctx.today:
            problems.append(
                ErrorDetail(
                    message=_msg("the date is in the future", "미래의 날짜입니다"), field=name, value=value
                )
            )
            continue
        out[name] = x
    if require:
        for name, col in columns.items():
            if col.required and name not in fields:
                problems.append(
                    ErrorDetail(
                        message=_msg("a value is required", "필수 입력 항목입니다"),
                        field=name,
                        code="required",
                    )
                )
    return out, problems


def _apply_company(company: Company, values: dict[str, Any], ctx: _Context) -> None:
    for name, value in values.items():
        if name == "ksic":
            company.ksic_id = value
            company.ksic_section = ctx.ksic[value]
            continue
        if value is None:  # an emptied optional field takes the model default
            f: Any = Company._meta.get_field(name)
            value = f.get_default() if f.has_default() else ""
        setattr(company, name, value)


@transaction.atomic
def company_create(*, acting_user: Any, **fields: Any) -> Company:
    """Register one company. Fields by template column name (`COMPANY_FIELDS`); `ksic` is a sub-class code."""
    if acting_user is not None and not _is_programme_office(acting_user):
        raise Forbidden("Only the programme office registers companies", code="company_create_forbidden")
    return company_register(acting_user=acting_user, **fields)


@transaction.atomic
def company_register(*, acting_user: Any, **fields: Any) -> Company:
    """`company_create` without its role check, for a service that authorises the writer itself (a ministry
    officer registers the company they nominate: `rounds.services.nominations`). Same validation and audit."""
    ctx = _Context()
    values, problems = _convert_fields(fields, _COMPANY_COLUMNS, ctx, require=True)
    if not problems and Company.objects.filter(brn=values["brn"]).exists():
        problems.append(
            ErrorDetail(
                message=_msg(
                    "a company with this BRN is already registered", "이미 등록된 사업자등록번호입니다"
                ),
                field="brn",
                value=fields.get("brn"),
                code="duplicate",
            )
        )
    if problems:
        raise ValidationFailed("The company could not be registered", details=problems)
    company = Company()
    _apply_company(company, values, ctx)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError as exc:
        raise Conflict("A company with this BRN is already registered", code="brn_exists") from exc
    audit_record(
        actor=acting_user,
        action="company.create",
        obj=company,
        changes=created(snapshot(company, _AUDIT_FIELDS)),
    )
    return company


@transaction.atomic
def company_update(*, company: Company, acting_user: Any, **fields: Any) -> Company:
    """Change some fields of a company (the programme office; a representative for their own company, not
    its BRN, name or SME/listing status)."""
    if acting_user is not None and not _is_programme_office(acting_user):
        own = getattr(acting_user, "role", None) == Role.COMPANY and acting_user.company_id == company.pk
        if not own:
            raise Forbidden("You may not change this company", code="company_update_forbidden")
        refused = sorted(set(fields) - COMPANY_REP_FIELDS)
        if refused:
            raise Forbidden(f"A company representative may not change: {', '.join(refused)}")
    locked = Company.objects.select_for_update().get(pk=company.pk)
    ctx = _Context()
    values, problems = _convert_fields(fields, _COMPANY_COLUMNS, ctx, require=False)
    if "brn" in values and values["brn"] != locked.brn and Company.objects.filter(brn=values["brn"]).exists():
        problems.append(
            ErrorDetail(
                message=_msg(
                    "a company with this BRN is already registered", "이미 등록된 사업자등록번호입니다"
                ),
                field="brn",
                value=fields.get("brn"),
                code="duplicate",
            )
        )
    if problems:
        raise ValidationFailed("The company could not be changed", details=problems)
    before = snapshot(locked, _AUDIT_FIELDS)
    _apply_company(locked, values, ctx)
    after = snapshot(locked, _AUDIT_FIELDS)
    changes = diff(before, after)
    if changes:
        locked.save()
        audit_record(actor=acting_user, action="company.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def statement_submit(
    *,
    company: Company,
    fiscal_year: int,
    values: dict[str, int],
    acting_user: Any,
    source: str = "form",
    credit_delinquency: bool = False,
) -> FinancialStatement:
    """Create or replace one company's statement for one fiscal year (company representatives submit their
    own; the programme office and the system may submit for any company). Values keyed by item name."""
    if acting_user is not None and not _is_programme_office(acting_user):
        own = getattr(acting_user, "role", None) == Role.COMPANY and acting_user.company_id == company.pk
        if not own:
            raise Forbidden("You may not submit statements for this company", code="statement_forbidden")
    if source not in FinancialStatement.Source.values:
        raise ValidationFailed(f"unknown source {source!r}", code="invalid_source")
    ctx = _Context()
    problems: list[ErrorDetail] = []
    try:
        year = ctx.year(fiscal_year)
    except _Bad as bad:
        problems.append(ErrorDetail(message=_msg(bad.en, bad.ko), field="fiscal_year", value=fiscal_year))
        year = 0
    item_columns = {n: _STATEMENT_COLUMNS[n] for n in ITEM_NAMES}
    converted, item_problems = _convert_fields(dict(values), item_columns, ctx, require=True)
    problems.extend(item_problems)
    if not problems:
        for fld, en, ko in statement_problems(converted):
            problems.append(
                ErrorDetail(message=_msg(en, ko), field=fld, value=converted.get(fld), code="inconsistent")
            )
    if problems:
        raise ValidationFailed("The financial statement has problems", details=problems)
    items = {n: (0 if converted.get(n) is None else converted[n]) for n in ITEM_NAMES}
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
