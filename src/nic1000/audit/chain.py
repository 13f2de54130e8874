"""Hashing of audit rows. Pure: the same canonical form is used to write and to verify.

Rows are signed with HMAC-SHA256 under a key kept outside the database (settings.AUDIT_KEY), so whoever can
write the database cannot re-hash an edited row and the rows after it. Rows written before the chain was keyed
(seq up to AuditHead.legacy_seq) keep their plain SHA-256 hash: pass key=None for them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    return str(value)


class _NotFast(Exception):
    pass


def _fast(value: Any) -> Any:
    """The JSON round trip of the common shapes (str/int/bool/None, finite floats, dates, Decimals, dicts with
    string keys, lists) without encoding and decoding; anything else raises _NotFast."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotFast
        return value
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise _NotFast
            tv = type(v)  # scalars inline: imports hash 100k rows of {"field": {"before": x, "after": y}}
            out[k] = v if tv is str or tv is int or tv is bool or v is None else _fast(v)
        return out
    if t is list or t is tuple:
        return [_fast(v) for v in value]
    if t is dt.date or t is dt.datetime or t is dt.time:
        return value.isoformat()
    if t is Decimal:
        return str(value)
    raise _NotFast


def canonical(value: Any) -> Any:
    """JSON-safe copy of `value` that round-trips through the database unchanged."""
    try:
        return _fast(value)
    except _NotFast:
        return json.loads(json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False))


# One encoder for hashing and storing: sorted keys, compact, UTF-8 kept.
encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def hash_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    reason: str,
    prev_hash: str,
    key: bytes | None,
) -> str:
    return row_hash_encoded(
        seq=seq, at=hash_time(at), actor_id=actor_id, actor_label=actor_label, action=action,
        object_type=object_type, object_id=object_id, object_repr=object_repr, changes_json=encode(changes),
        reason=reason, prev_hash=prev_hash, key=key,
    )  # fmt: skip


def row_hash_encoded(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes_json: str,
    reason: str,
    prev_hash: str,
    key: bytes | None,
) -> str:
    """The hash of one row whose time is already formatted (hash_time) and changes already encoded (encode):
    the same bytes as encoding the whole list at once, spliced around the changes (bulk writers encode each
    changes value once, for the hash and for the INSERT)."""
    head = encode([seq, at, actor_id, actor_label, action, object_type, object_id, object_repr])
    tail = encode([reason, prev_hash])
    payload = f"{head[:-1]},{changes_json},{tail[1:]}"
    if key is None:  # a row written before the chain was keyed
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    mac = _keyed(key).copy()
    mac.update(payload.encode("utf-8"))
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    """The HMAC state after the key (copied per row: imports sign 100k rows)."""
    return hmac.new(key, digestmod=hashlib.sha256)


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key (logged and written to anchors), from which the key cannot be found."""
    return hmac.new(key, b"nic1000 audit key fingerprint", hashlib.sha256).hexdigest()[:12]
