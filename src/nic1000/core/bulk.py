"""Bulk SQL for the few writes a benchmark shows the ORM cannot carry at national scale (100k-row imports,
the audit entries they write, inspections of every designated company). One tested helper for both databases:
COPY on PostgreSQL, multi-row or prepared INSERTs on SQLite. Callers pass values already validated and
converted; these functions run inside the caller's transaction and write their own audit rows nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection, connections, models, transaction


def param_limit() -> int:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        try:
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except (AttributeError, sqlite3.Error):
            return 999
    return 65_535 if connection.vendor == "postgresql" else 999


def insert_returning_ids(
    model: type[models.Model], records: list[dict[str, Any]], now: dt.datetime
) -> list[int]:
    """Insert new rows with multi-row INSERT ... RETURNING id in batches (the ORM's bulk_create builds every
    value through the compiler, which dominates a 100k-row import). Values were validated and converted
    already; fields missing from the records take the model defaults; auto_now(_add) fields get `now`.
    Falls back to bulk_create on databases without RETURNING."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not connection.features.can_return_rows_from_bulk_insert:
        objs = model._default_manager.bulk_create([model(**rec) for rec in records], batch_size=1000)
        return [o.pk for o in objs]
    ops = connection.ops
    getters: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            const: Any = now
        elif f.has_default():
            const = f.get_default()
        else:
            const = None if f.null else ("" if f.empty_strings_allowed else None)
        internal = f.get_internal_type()
        adapt: Callable[[Any], Any] | None = None
        if internal == "DateField":
            adapt = ops.adapt_datefield_value
        elif internal == "DateTimeField":
            adapt = ops.adapt_datetimefield_value
        elif internal == "JSONField":  # JSON text, which both databases (and COPY) read
            adapt = partial(json.dumps, cls=getattr(f, "encoder", None))
        if adapt is not None and const is not None:
            const = adapt(const)
        if adapt is not None and not any(f.attname in rec for rec in records[:1]):
            adapt = None  # the column always takes the (already adapted) constant
        getters.append((f.attname, const, adapt))
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    table = ops.quote_name(model._meta.db_table)
    pk = ops.quote_name(model._meta.pk.column)
    width = len(fields)
    batch = max(1, min(2000, param_limit() // width - 1))
    row_sql = "(" + ", ".join(["%s"] * width) + ")"
    ids: list[int] = []
    if connection.vendor == "postgresql":
        return _pg_copy_with_ids(
            model,
            f"COPY {table} ({pk}, {columns}) FROM STDIN",
            [[rec.get(name, const) for name, const, _adapt in getters] for rec in records],
        )
    with connection.cursor() as cursor:
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            params: list[Any] = []
            for rec in chunk:
                for name, const, adapt in getters:
                    v = rec.get(name, const)
                    if adapt is not None and v is not None:
                        v = adapt(v)
                    params.append(v)
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} RETURNING {pk}"
            cursor.execute(sql, params)
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _pg_copy_with_ids(model: type[models.Model], copy_sql: str, rows: list[list[Any]]) -> list[int]:
    """PostgreSQL: take the ids from the table's sequence in one query, then COPY the rows with them (COPY is
    several times faster than INSERT for the tens of thousands of rows of an import, and returns nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        with cursor.cursor.copy(copy_sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row([pk, *row])
    return ids


def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, json_columns: Sequence[str] = ()
) -> None:
    """Insert plain rows (values in `columns` order) into `table`: COPY on PostgreSQL for more than 50 rows,
    else one prepared INSERT run for every row (executemany; pipelined by psycopg 3). JSON columns take their
    values as JSON text."""
    conn = transaction.get_connection()
    qn = conn.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    if conn.vendor == "postgresql" and len(rows) > 50:
        with conn.cursor() as cursor, cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cast = "::jsonb" if conn.vendor == "postgresql" else ""
    placeholders = ", ".join(f"%s{cast}" if c in json_columns else "%s" for c in columns)
    sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({placeholders})"
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# ---------------------------------------------------------------- per-chunk writes of batch jobs (inspections)
# Values are passed as the database drivers take them (numbers, text, None; JSON as text); columns are named
# by the fields' attnames ("company_id").


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValueError(f"{model._meta.label} has no columns {missing}")
    return [by_name[n] for n in names]


def upsert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: Sequence[str]
) -> None:
    """Insert rows, or update every other column of the row with the same `unique` values (a unique
    constraint of the model). Without the ORM, whose bulk_create spends most of its time compiling values: on
    PostgreSQL one INSERT … SELECT FROM unnest(one array per column) per 10,000 rows, the arrays sent in binary
    through a server-binding cursor on the same connection (Django's client-side cursor would quote every
    element as text), JSON sent as text and cast per element; elsewhere one prepared INSERT … ON CONFLICT run
    for every row."""
    if not rows:
        return
    conn = transaction.get_connection()
    qn = conn.ops.quote_name
    fields = _columns(model, columns)
    keys = [f.column for f in _columns(model, unique)]
    cols = ", ".join(qn(f.column) for f in fields)
    updates = ", ".join(f"{qn(f.column)} = EXCLUDED.{qn(f.column)}" for f in fields if f.column not in keys)
    conflict = f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}"
    table = qn(model._meta.db_table)
    if conn.vendor == "postgresql":
        import psycopg

        json = [f.get_internal_type() == "JSONField" for f in fields]
        arrays = ", ".join(
            f"%b::{'text' if j else f.db_type(conn)}[]" for f, j in zip(fields, json, strict=True)
        )
        names = ", ".join(f"c{i}" for i in range(len(fields)))
        select = ", ".join(f"c{i}::jsonb" if j else f"c{i}" for i, j in enumerate(json))
        sql = f"INSERT INTO {table} ({cols}) SELECT {select} FROM unnest({arrays}) AS r({names}) {conflict}"
        with psycopg.Cursor(conn.connection) as raw:
            for start in range(0, len(rows), 10_000):
                raw.execute(sql, [list(col) for col in zip(*rows[start : start + 10_000], strict=True)])
        return
    values = ", ".join("%s" for _f in fields)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({values}) {conflict}"
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def insert_select(
    model: type[models.Model],
    columns: Sequence[str],
    select: models.QuerySet[Any, Any],
    *,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT INTO the model's table (columns) SELECT …: rows made from other rows in one statement, so the
    conditions that pick them (a NOT EXISTS, say) hold at the moment of the insert. The SELECT is built by the
    ORM: `select` is a values() queryset giving one value per column, in the columns' order. Returns the
    `returning` columns of the rows inserted (as the database gives them)."""
    fields = _columns(model, columns)
    width = len(getattr(select, "_fields", None) or ())
    if width != len(fields):
        raise ValueError(f"the select gives {width} values for {len(fields)} columns; use values(...)")
    conn = connections[select.db]
    qn = conn.ops.quote_name
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    cols = ", ".join(qn(f.column) for f in fields)
    tail = ""
    if returning:
        tail = " RETURNING " + ", ".join(qn(f.column) for f in _columns(model, returning))
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({cols}) {sql}{tail}", params)
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def update_by_pk(model: type[models.Model], column: str, rows: Sequence[tuple[Any, Any]]) -> None:
    """Set one column of many rows, each to its own value: one prepared UPDATE … WHERE pk = %s run for every
    (value, pk) pair (executemany, pipelined by psycopg 3), where bulk_update would build a CASE over all of
    them in several statements."""
    if not rows:
        return
    conn = transaction.get_connection()
    qn = conn.ops.quote_name
    (field,) = _columns(model, [column])
    cast = "::jsonb" if conn.vendor == "postgresql" and field.get_internal_type() == "JSONField" else ""
    pk = qn(model._meta.pk.column)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(field.column)} = %s{cast} WHERE {pk} = %s"
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
