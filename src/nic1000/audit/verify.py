"""Checking the chain: any edited, inserted or deleted row breaks it."""

from __future__ import annotations

from dataclasses import dataclass

from nic1000.audit.chain import GENESIS, row_hash
from nic1000.audit.models import AuditEntry, AuditHead


@dataclass
class VerifyProblem:
    seq: int
    message: str


def audit_verify(*, batch: int = 5000) -> tuple[int, list[VerifyProblem]]:
    """Walk the whole chain in order; return (rows checked, problems)."""
    problems: list[VerifyProblem] = []
    expected_seq = 1
    prev = GENESIS
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            checked += 1
            if row.seq != expected_seq:
                problems.append(
                    VerifyProblem(row.seq, f"rows {expected_seq}..{row.seq - 1} are missing (deleted)")
                )
            if row.prev_hash != prev:
                problems.append(VerifyProblem(row.seq, "does not link to the previous row"))
            h = row_hash(
                seq=row.seq,
                at=row.at,
                actor_id=row.actor_id,
                actor_label=row.actor_label,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                object_repr=row.object_repr,
                changes=row.changes,
                reason=row.reason,
                prev_hash=row.prev_hash,
            )
            if h != row.hash:
                problems.append(VerifyProblem(row.seq, "content was changed after it was written"))
            prev = row.hash
            expected_seq = row.seq + 1
            last_seq = row.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != last_seq:
        problems.append(
            VerifyProblem(
                last_seq, f"the chain ends at {last_seq} but {head.seq} rows were written (tail deleted)"
            )
        )
    elif head is not None and head.hash != prev and last_seq:
        problems.append(VerifyProblem(last_seq, "the last row does not match the recorded head"))
    return checked, problems
