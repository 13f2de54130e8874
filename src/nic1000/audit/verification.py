"""Verifying the chain from the audit pages: the same walk as `nic1000 audit verify` (`audit.verify`), kept as a
`ChainVerification` row and written to the trail itself as `audit.verified` with its result.

The walk reads the whole chain in batches; on a large trail it takes seconds, so it runs outside the transaction
that records its result."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from nic1000.audit.models import ChainVerification
from nic1000.audit.services import _actor_id, _actor_label, audit_record
from nic1000.audit.verify import audit_verify
from nic1000.core.access import require_role
from nic1000.core.roles import OFFICE_AND_AUDIT, Actor

PROBLEMS_KEPT = 20


def chain_verify(*, acting_user: Actor) -> ChainVerification:
    """Verify the chain, record the run and audit it (`audit.verified`: ok, rows checked, first bad row)."""
    require_role(acting_user, OFFICE_AND_AUDIT)
    started = time.monotonic()
    checked, problems = audit_verify()
    seconds = round(time.monotonic() - started, 3)
    first = problems[0].seq if problems else None
    with transaction.atomic():
        run = ChainVerification.objects.create(
            at=timezone.now(),
            by_id=_actor_id(acting_user),
            by_label=_actor_label(acting_user),
            rows_checked=checked,
            ok=not problems,
            first_bad_seq=first,
            problems=[{"seq": p.seq, "message": p.message} for p in problems[:PROBLEMS_KEPT]],
            seconds=seconds,
        )
        audit_record(
            actor=acting_user,
            action="audit.verified",
            obj=run,
            changes={
                "ok": {"before": None, "after": run.ok},
                "rows_checked": {"before": None, "after": checked},
                "first_bad_seq": {"before": None, "after": first},
                "problems": {"before": None, "after": len(problems)},
            },
        )
    return run


def last_verifications(limit: int = 10) -> list[ChainVerification]:
    return list(ChainVerification.objects.order_by("-at", "-id")[:limit])
