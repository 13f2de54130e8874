"""Checking the chain: any edited, inserted or deleted row breaks it, and so does a chain that no longer reaches
(or no longer matches) what the anchor file recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nic1000.audit.anchors import Anchor, anchors_read
from nic1000.audit.chain import GENESIS, key_fingerprint, row_hash
from nic1000.audit.keys import audit_key
from nic1000.audit.models import AuditEntry, AuditHead


@dataclass
class VerifyProblem:
    seq: int
    message: str


def audit_verify(
    *, batch: int = 5000, using: str = "default", anchors_path: Path | None = None
) -> tuple[int, list[VerifyProblem]]:
    """Walk the whole chain in order, check it against the key and every anchor; return (rows checked,
    problems sorted by seq: the first is the first bad row)."""
    key = audit_key()
    anchors, anchor_errors = anchors_read(anchors_path)
    wanted = {a.seq for a in anchors}
    seen: dict[int, str] = {}
    head = AuditHead.objects.using(using).filter(pk=1).first()
    legacy_seq = head.legacy_seq if head is not None else 0
    problems: list[VerifyProblem] = []
    expected_seq = 1
    prev = GENESIS
    checked = keyed = keyed_bad = 0
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.using(using).filter(seq__gt=last_seq).order_by("seq")[:batch])
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
            is_keyed = row.seq > legacy_seq
            h = row_hash(
                seq=row.seq, at=row.at, actor_id=row.actor_id, actor_label=row.actor_label, action=row.action,
                object_type=row.object_type, object_id=row.object_id, object_repr=row.object_repr,
                changes=row.changes, reason=row.reason, prev_hash=row.prev_hash, key=key if is_keyed else None,
            )  # fmt: skip
            keyed += is_keyed
            if h != row.hash:
                keyed_bad += is_keyed
                problems.append(VerifyProblem(row.seq, "content was changed after it was written"))
            if row.seq in wanted:
                seen[row.seq] = row.hash
            prev = row.hash
            expected_seq = row.seq + 1
            last_seq = row.seq
    if keyed and keyed_bad == keyed:
        problems.append(
            VerifyProblem(
                legacy_seq + 1,
                "no signed row matches: AUDIT_KEY is not the key this trail was written with, "
                "or every row was rewritten",
            )
        )
    if head is not None and head.seq != last_seq:
        problems.append(
            VerifyProblem(
                last_seq + 1, f"the chain ends at {last_seq} but {head.seq} rows were written (tail deleted)"
            )
        )
    elif head is not None and head.hash != prev and last_seq:
        problems.append(VerifyProblem(last_seq, "the last row does not match the recorded head"))
    problems += _against_anchors(anchors, seen, last_seq, legacy_seq, key_fingerprint(key))
    problems += [VerifyProblem(0, e) for e in anchor_errors]
    problems.sort(key=lambda p: p.seq)
    return checked, problems


def _against_anchors(
    anchors: list[Anchor], seen: dict[int, str], last_seq: int, legacy_seq: int, fingerprint: str
) -> list[VerifyProblem]:
    out: list[VerifyProblem] = []
    for a in anchors:
        where = f"anchor of {a.at} (line {a.line})"
        if a.key and a.key != fingerprint:
            out.append(
                VerifyProblem(
                    max(a.legacy_seq, 0) + 1,
                    f"the {where} was written under key {a.key}, but AUDIT_KEY is key {fingerprint}",
                )
            )
        if a.legacy_seq != legacy_seq:
            out.append(
                VerifyProblem(
                    min(a.legacy_seq, legacy_seq) + 1,
                    f"signed rows start after {legacy_seq}, but the {where} says after {a.legacy_seq}",
                )
            )
        if a.seq == 0:
            continue
        if a.seq > last_seq:
            what = "the table is empty" if last_seq == 0 else f"the chain ends at {last_seq}"
            out.append(
                VerifyProblem(
                    last_seq + 1,
                    f"rows {last_seq + 1}..{a.seq} are missing: the {where} reached {a.seq}, {what} "
                    "(tail deleted and head rewound, or table emptied)",
                )
            )
        elif a.seq not in seen:
            out.append(VerifyProblem(a.seq, f"row {a.seq}, recorded by the {where}, is missing"))
        elif seen[a.seq] != a.hash:
            out.append(VerifyProblem(a.seq, f"differs from the {where}: the chain was rewritten"))
    return out
