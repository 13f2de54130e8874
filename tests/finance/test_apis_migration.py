"""Migrations 0004/0005 move idempotency keys from the token to the institution: each record gets its token's
institution, and where two tokens of one institution used the same key only the first answer stays."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("finance", "0003_membership_in_designations")]
AFTER = [("finance", "0005_api_edges")]


@pytest.mark.django_db(transaction=True)
def test_idempotency_records_move_to_their_institution(reference_data) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    ApiToken = apps.get_model("finance", "ApiToken")
    Record = apps.get_model("finance", "IdempotencyRecord")
    Institution = apps.get_model("registry", "Institution")
    now = timezone.now()
    kdb, ibk = (Institution.objects.get(code=c) for c in ("KDB", "IBK"))
    t1, t2, t3 = (
        ApiToken.objects.create(institution=inst, name=n, prefix=n, token_hash=n * 8, created_at=now)
        for inst, n in ((kdb, "kdb1"), (kdb, "kdb2"), (ibk, "ibk1"))
    )

    def record(token, key: str, status: int):  # type: ignore[no-untyped-def]
        return Record.objects.create(
            token=token, key=key, request_hash="h", status_code=status, response={}, created_at=now
        )

    first = record(t1, "pay-1", 201)
    record(t2, "pay-1", 202)  # the double disbursement the per-token keys let through
    other = record(t3, "pay-1", 201)
    own = record(t2, "pay-2", 201)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from nic1000.finance.models import IdempotencyRecord

    got = {(r.pk, r.institution_id, r.key, r.status_code) for r in IdempotencyRecord.objects.all()}
    assert got == {
        (first.pk, kdb.pk, "pay-1", 201),
        (other.pk, ibk.pk, "pay-1", 201),
        (own.pk, kdb.pk, "pay-2", 201),
    }
