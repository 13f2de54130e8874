"""Writing the audit trail. Every service that changes data calls `audit_record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction

from nic1000.audit.chain import canonical, encode, hash_time, row_hash_encoded
from nic1000.audit.keys import audit_key
from nic1000.audit.models import AuditEntry, AuditHead
from nic1000.core.bulk import insert_rows


class NamedActor(Protocol):
    """Whoever the trail records as acting: a user (kept by id and name) or a system acting for an organisation,
    such as an institution's API token (kept by its label)."""

    @property
    def pk(self) -> object: ...

    @property
    def username(self) -> str: ...


@dataclass
class AuditItem:
    action: str
    object_type: str
    object_id: str = ""
    object_repr: str = ""
    changes: Mapping[str, Any] | None = None
    reason: str = ""


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field values of an instance, foreign keys by id, for before/after diffs."""
    names = list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    return {name: getattr(instance, name) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": x, "after": y}} for fields whose value changed."""
    keys = set(before) | set(after)
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(keys):
        b, a = before.get(key), after.get(key)
        if canonical(b) != canonical(a):
            out[key] = {"before": b, "after": a}
    return out


def created(after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"before": None, "after": v} for k, v in after.items() if v not in (None, "")}


# Who acted: someone with a name (a user, an API token), a system's label ("cli"), or None (the system itself).
AuditActor = NamedActor | str | None


def _actor_label(actor: AuditActor) -> str:
    if actor is None:
        return "system"
    # getattr: callers still typed loosely may hand in anything with a str().
    return str(getattr(actor, "username", None) or actor)


def _actor_id(actor: AuditActor) -> int | None:
    """Only users are rows to point at; a system acting is named by its label."""
    pk = getattr(actor, "pk", None)
    return pk if isinstance(pk, int) else None


_COLUMNS = (
    "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr", "changes",
    "reason", "prev_hash", "hash",
)  # fmt: skip


def _insert(params: list[tuple[Any, ...]]) -> None:
    """Imports write tens of thousands of entries, and the ORM's bulk_create spends most of its time compiling
    values: one shared bulk insert (COPY on PostgreSQL)."""
    insert_rows(AuditEntry._meta.db_table, _COLUMNS, params, json_columns=("changes",))


def _append(*, actor: AuditActor, items: Sequence[AuditItem]) -> tuple[dt.datetime, list[tuple[Any, ...]]]:
    """Chain and insert the entries; returns the time and the inserted rows (in _COLUMNS order)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed database (tests) or a fresh one before migrations seeded it
        head, _ = AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    # The wall clock, never a patched django.utils.timezone.now: the trail records when a write really happened.
    now = dt.datetime.now(dt.UTC)
    at_hash = hash_time(now)
    at_db = transaction.get_connection().ops.adapt_datetimefield_value(now)
    actor_id = _actor_id(actor)
    label = _actor_label(actor)
    key = audit_key()  # refuses without a configured key
    seq, prev = head.seq, head.hash
    params: list[tuple[Any, ...]] = []
    for item in items:
        seq += 1
        # Encoded once: the same text is hashed and stored.
        changes_json = encode(canonical(dict(item.changes or {})))
        object_id, object_repr, reason = str(item.object_id), str(item.object_repr)[:300], item.reason or ""
        h = row_hash_encoded(
            seq=seq, at=at_hash, actor_id=actor_id, actor_label=label, action=item.action,
            object_type=item.object_type, object_id=object_id, object_repr=object_repr,
            changes_json=changes_json, reason=reason, prev_hash=prev, key=key,
        )  # fmt: skip
        params.append(
            (seq, at_db, actor_id, label, item.action, item.object_type, object_id, object_repr, changes_json,
             reason, prev, h)
        )  # fmt: skip
        prev = h
    _insert(params)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return now, params


def audit_record_many(*, actor: AuditActor, items: Sequence[AuditItem]) -> int:
    """Append several entries in one go (used by imports and batch jobs); returns how many were written.
    Must run inside the service's transaction."""
    if not items:
        return 0
    _append(actor=actor, items=items)
    return len(items)


def audit_record(
    *,
    actor: AuditActor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)
    item = AuditItem(
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=object_repr or "",
        changes=changes,
        reason=reason,
    )
    now, [row] = _append(actor=actor, items=[item])
    values = dict(zip(_COLUMNS, row, strict=True))
    values.update(at=now, changes=json.loads(values["changes"]))
    return AuditEntry(**values)
