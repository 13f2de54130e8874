"""Planning an import: which rows create, change or leave alone which registry rows, per kind, and the rules
across rows (duplicate keys, companies that must exist, granted after filed, statements that balance).

Keys: companies by BRN, patents by application number, technologies by company + technology name, statements
by company + fiscal year. Existing rows are fetched by key in chunks, never row by row. A statements import may be
scoped to one company: a row of another company is a problem (and its BRN is not looked up).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from nic1000.core.identifiers import brn_format
from nic1000.registry.fields import FieldContext, field_named, fields_of
from nic1000.registry.importing.parsing import Table
from nic1000.registry.importing.report import ImportReport
from nic1000.registry.messages import lazy_format
from nic1000.registry.models import Company, CoreTechnology, FinancialStatement, Patent
from nic1000.registry.statement_items import ITEM_NAMES, statement_problems

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_CHUNK = 2000  # keys per prefetch query (well under SQLite's and PostgreSQL's parameter limits)


class Update(NamedTuple):
    pk: int
    values: dict[str, Any]  # attname → new value (every column of the file)
    changes: dict[str, dict[str, Any]]  # the audit diff: field → {"before", "after"}
    repr: str


@dataclass
class Plan:
    model: type[models.Model]
    entity: str  # audit action prefix
    creates: list[dict[str, Any]]  # attname → value
    updates: list[Update]
    unchanged: int
    repr_field: str
    touch_updated_at: bool = False


class Planner(Protocol):
    def __call__(
        self, *, table: Table, ctx: FieldContext, report: ImportReport, source: str, scope: Company | None
    ) -> Plan | None: ...


# ---------------------------------------------------------------------------------------------------- steps


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _label(kind: str, name: str) -> str:
    return field_named(kind, name).header


def _duplicates(table: Table, keys: Sequence[Any], label: str, report: ImportReport) -> None:
    first: dict[Any, int] = {}
    for i, key in enumerate(keys):
        if key is None or i in table.bad_rows:
            continue
        j = first.setdefault(key, i)
        if j != i:
            shown = key if not isinstance(key, tuple) else " / ".join(str(k) for k in key)
            message = lazy_format(_("duplicate key: the same as row %(row)s"), row=table.rownos[j])
            table.problem(i, label, shown, message, report)


def _company_ids(table: Table, report: ImportReport, scope: Company | None) -> list[int | None]:
    """The company of each row by BRN: rows of BRNs not in the registry are problems; with a `scope`, rows of
    another company are (and nothing is looked up)."""
    brns = table.values["brn"]
    label = _label("companies", "brn")
    if scope is not None:
        out: list[int | None] = []
        for i, b in enumerate(brns):
            if b is not None and b != scope.brn:
                message = _(
                    "this row belongs to another company: only %(company)s's statements may be imported"
                )
                table.problem(i, label, brn_format(b), lazy_format(message, company=scope.name_ko), report)
            out.append(scope.pk if b == scope.brn else None)
        return out
    wanted = sorted({b for b in brns if b is not None})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(Company.objects.filter(brn__in=chunk).values_list("brn", "id"))
    ids: list[int | None] = []
    for i, b in enumerate(brns):
        cid = found.get(b) if b is not None else None
        if b is not None and cid is None:
            message = _("no company with this BRN in the registry (import the company first)")
            table.problem(i, label, brn_format(b), message, report)
        ids.append(cid)
    return ids


def _records(table: Table, names: list[str], defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """Row dicts of the columns present in the file; empty optional cells take the model default."""
    present = [n for n in names if n in table.values]
    cols = [table.values[n] for n in present]
    fill = [defaults.get(n) for n in present]
    out = []
    for i in range(len(table)):
        rec = {}
        for n, c, d in zip(present, cols, fill, strict=True):
            v = c[i]
            rec[n] = d if v is None else v
        out.append(rec)
    return out


def _model_defaults(model: type[models.Model], names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        f = model._meta.get_field(name)
        assert isinstance(f, models.Field)  # names of concrete fields
        out[name] = f.get_default() if f.has_default() else ("" if f.empty_strings_allowed else None)
    return out


def _existing(
    model: type[models.Model],
    lookup: str,
    keys: Iterable[Any],
    key_fields: tuple[str, ...],
    fields: list[str],
    *,
    first_wins: bool = False,
) -> dict[Any, dict[str, Any]]:
    """Rows already in the registry by key (`lookup__in` per chunk of `keys`). Keys the database keeps unique
    need no order; otherwise (`first_wins`) the oldest row of a key is the one updated."""
    out: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(k for k in keys if k is not None))):
        qs = model._default_manager.filter(**{f"{lookup}__in": chunk})
        if first_wins:
            qs = qs.order_by("id")
        for row in qs.values("id", *key_fields, *fields):
            key = row[key_fields[0]] if len(key_fields) == 1 else tuple(row[k] for k in key_fields)
            out.setdefault(key, row)
    return out


def _compare(
    *,
    model: type[models.Model],
    entity: str,
    repr_field: str,
    records: list[dict[str, Any]],
    keys: list[Any],
    existing: dict[Any, dict[str, Any]],
    fields: list[str],
    touch_updated_at: bool = False,
) -> Plan:
    creates: list[dict[str, Any]] = []
    updates: list[Update] = []
    unchanged = 0
    for rec, key in zip(records, keys, strict=True):
        old = existing.get(key)
        if old is None:
            creates.append(rec)
            continue
        changes = {f: {"before": old[f], "after": rec[f]} for f in fields if f in rec and old[f] != rec[f]}
        if changes:
            updates.append(
                Update(old["id"], rec, changes, str(rec.get(repr_field) or old.get(repr_field) or ""))
            )
        else:
            unchanged += 1
    return Plan(model, entity, creates, updates, unchanged, repr_field, touch_updated_at)


# ---------------------------------------------------------------------------------------------------- per kind


def plan_companies(
    *, table: Table, ctx: FieldContext, report: ImportReport, source: str, scope: Company | None
) -> Plan | None:
    _duplicates(table, table.values["brn"], _label("companies", "brn"), report)
    if report.problems:
        return None
    names = [f.name for f in fields_of("companies") if f.name != "ksic"]
    records = _records(table, names, _model_defaults(Company, names))
    for rec, code in zip(records, table.values["ksic"], strict=True):
        rec["ksic_id"] = code
        rec["ksic_section"] = ctx.ksic[code]
    fields = [n for n in names if n in table.values and n != "brn"] + ["ksic_id", "ksic_section"]
    keys = table.values["brn"]
    existing = _existing(Company, "brn", keys, ("brn",), fields)
    return _compare(model=Company, entity="company", repr_field="name_ko", records=records, keys=keys,
                    existing=existing, fields=fields, touch_updated_at=True)  # fmt: skip


def plan_patents(
    *, table: Table, ctx: FieldContext, report: ImportReport, source: str, scope: Company | None
) -> Plan | None:
    _duplicates(table, table.values["application_number"], _label("patents", "application_number"), report)
    company_ids = _company_ids(table, report, None)
    _granted_after_filed(table, report)
    if report.problems:
        return None
    names = [f.name for f in fields_of("patents") if f.name != "brn"]
    defaults = _model_defaults(Patent, names)
    defaults.pop("status")
    records = _records(table, names, defaults)
    has_status = "status" in table.values
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
        if not has_status or rec["status"] is None:
            rec["status"] = (
                Patent.Status.REGISTERED.value if rec.get("granted_on") else Patent.Status.FILED.value
            )
    # Without a status column, the status is derived for new patents only; existing ones keep theirs.
    fields = [n for n in names if n in table.values and n != "application_number"] + ["company_id"]
    keys = table.values["application_number"]
    existing = _existing(Patent, "application_number", keys, ("application_number",), fields)
    return _compare(model=Patent, entity="patent", repr_field="application_number", records=records,
                    keys=keys, existing=existing, fields=fields)  # fmt: skip


def _granted_after_filed(table: Table, report: ImportReport) -> None:
    filed, granted = table.values["filed_on"], table.values.get("granted_on")
    if granted is None:
        return
    label = _label("patents", "granted_on")
    for i, (f, g) in enumerate(zip(filed, granted, strict=True)):
        if f is not None and g is not None and g < f:
            message = lazy_format(_("granted before it was filed (%(filed)s)"), filed=f.isoformat())
            report.add(table.rownos[i], label, g.isoformat(), message)


def plan_technologies(
    *, table: Table, ctx: FieldContext, report: ImportReport, source: str, scope: Company | None
) -> Plan | None:
    keys_in_file = [
        (b, n) if b is not None and n is not None else None
        for b, n in zip(table.values["brn"], table.values["name"], strict=True)
    ]
    _duplicates(table, keys_in_file, _label("technologies", "name"), report)
    company_ids = _company_ids(table, report, None)
    if report.problems:
        return None
    names = [f.name for f in fields_of("technologies") if f.name != "brn"]
    records = _records(table, names, _model_defaults(CoreTechnology, names))
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
    fields = [n for n in names if n in table.values and n != "name"]
    keys = [(cid, rec["name"]) for cid, rec in zip(company_ids, records, strict=True)]
    existing = _existing(
        CoreTechnology, "company_id", (k[0] for k in keys), ("company_id", "name"), fields, first_wins=True
    )
    return _compare(model=CoreTechnology, entity="technology", repr_field="name", records=records, keys=keys,
                    existing=existing, fields=fields)  # fmt: skip


def plan_statements(
    *, table: Table, ctx: FieldContext, report: ImportReport, source: str, scope: Company | None
) -> Plan | None:
    keys_in_file = [
        (b, y) if b is not None and y is not None else None
        for b, y in zip(table.values["brn"], table.values["fiscal_year"], strict=True)
    ]
    _duplicates(table, keys_in_file, _label("statements", "fiscal_year"), report)
    company_ids = _company_ids(table, report, scope)
    names = [f.name for f in fields_of("statements") if f.name != "brn"]
    records = _records(table, names, _model_defaults(FinancialStatement, names))
    _statements_balance(table, records, report)
    if report.problems:
        return None
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
        rec["source"] = source
    fields = [n for n in names if n in table.values and n != "fiscal_year"]
    keys = [(rec["company_id"], rec["fiscal_year"]) for rec in records]
    existing = _existing(
        FinancialStatement, "company_id", (k[0] for k in keys), ("company_id", "fiscal_year"), fields
    )
    return _compare(model=FinancialStatement, entity="statement", repr_field="fiscal_year", records=records,
                    keys=keys, existing=existing, fields=fields)  # fmt: skip


def _statements_balance(table: Table, records: list[dict[str, Any]], report: ImportReport) -> None:
    """The cross-item checks of each statement whose cells were all readable."""
    headers = {name: _label("statements", name) for name in ITEM_NAMES}
    for i, rec in enumerate(records):
        if i in table.bad_rows:
            continue
        problems: list[tuple[str, StrOrPromise]] = statement_problems({n: rec.get(n) for n in ITEM_NAMES})
        for fld, message in problems:
            report.add(table.rownos[i], headers.get(fld, fld), rec.get(fld), message)


PLANNERS: dict[str, Planner] = {
    "companies": plan_companies,
    "patents": plan_patents,
    "technologies": plan_technologies,
    "statements": plan_statements,
}
