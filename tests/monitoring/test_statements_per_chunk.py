"""Statements per chunk stay fixed, whatever the chunk's size: the inspection's speed at national scale rests on
it (bench/bench_inspection.py). Counted on the test database; a change here must be measured on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nic1000.monitoring.services.explanations import inspection_explain
from nic1000.monitoring.services.inspections import inspection_run
from tests.monitoring.test_services_inspection import portfolio  # noqa: F401 - fixture

# Three reads (statements, technology, patents); then in one transaction (savepoint and release counted): the
# claim check, the results upsert, the case insert, the progress marker and the audit append (head, entries,
# head update).
INSPECTION_CHUNK = 3 + 2 + 1 + 1 + 1 + 1 + 3
# Two reads (results, statements), one heartbeat per slice of SHAP work (one slice for these few companies);
# then in one transaction: the claim check, the explanations, the audit append and the heartbeat.
EXPLAIN_CHUNK = 2 + 1 + 2 + 1 + 1 + 3 + 1


def _sql(call) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_an_inspection_chunk_costs_the_same_statements_at_any_size(portfolio) -> None:  # noqa: F811
    inspection_run(period="2026-04", acting_user=None, explain=False)  # the first run sets up shared rows
    one = _sql(lambda: inspection_run(period="2026-05", acting_user=None, chunk_size=100, explain=False))
    three = _sql(lambda: inspection_run(period="2026-06", acting_user=None, chunk_size=3, explain=False))
    # Each extra chunk costs the same fixed statements (PostgreSQL needs two fewer than SQLite's count above).
    extra = len(three) - len(one)
    assert extra % 2 == 0 and extra // 2 <= INSPECTION_CHUNK
    if connection.vendor == "sqlite":
        assert extra == 2 * INSPECTION_CHUNK
    cases = [s for s in three if 'INSERT INTO "monitoring_supportcase"' in s]
    assert len(cases) == 3  # one per chunk, for any number of companies
    if connection.vendor == "sqlite":
        # (PostgreSQL's upsert goes through psycopg directly, with arrays, and is not captured here.)
        upserts = [s for s in three if 'INSERT INTO "monitoring_inspectionresult"' in s]
        assert len(upserts) == 3

    one = _sql(lambda: inspection_explain(period="2026-05", acting_user=None, chunk_size=100))
    four = _sql(lambda: inspection_explain(period="2026-06", acting_user=None, chunk_size=1))
    extra = len(four) - len(one)
    assert extra % 3 == 0 and extra // 3 <= EXPLAIN_CHUNK
    if connection.vendor == "sqlite":
        assert extra == 3 * EXPLAIN_CHUNK
    assert sum('UPDATE "monitoring_inspectionresult"' in s for s in four) == 4
