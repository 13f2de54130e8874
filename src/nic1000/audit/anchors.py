"""Anchors: the chain's head copied, now and then, to an append-only file outside the database.

A database writer who cuts the tail of the trail and rewinds the head, or empties the table, leaves a chain that
is consistent in itself; the anchors remember how far it reached and what its hash was there. One JSON object a
line: {"seq", "hash", "at", "legacy_seq", "key"} (key: the signing key's fingerprint, never the key).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from nic1000.audit.chain import GENESIS, key_fingerprint
from nic1000.audit.keys import audit_key
from nic1000.audit.models import AuditHead


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    legacy_seq: int
    key: str
    line: int = 0


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def audit_anchor(*, path: Path | None = None, using: str = "default") -> Anchor:
    """Append the current head to the anchor file (O_APPEND, fsync'd); returns what was written."""
    path = path or anchor_path()
    head = AuditHead.objects.using(using).filter(pk=1).first()
    seq, head_hash, legacy = (head.seq, head.hash, head.legacy_seq) if head else (0, GENESIS, 0)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    anchor = Anchor(seq=seq, hash=head_hash, at=at, legacy_seq=legacy, key=key_fingerprint(audit_key()))
    record = {"seq": seq, "hash": head_hash, "at": at, "legacy_seq": legacy, "key": anchor.key}
    line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def anchors_read(path: Path | None = None) -> tuple[list[Anchor], list[str]]:
    """Every anchor in the file (none when it does not exist yet) and the lines that could not be read."""
    path = path or anchor_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    anchors: list[Anchor] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            anchors.append(
                Anchor(
                    seq=int(data["seq"]),
                    hash=str(data["hash"]),
                    at=str(data["at"]),
                    legacy_seq=int(data.get("legacy_seq", 0)),
                    key=str(data.get("key", "")),
                    line=number,
                )
            )
        except (ValueError, KeyError, TypeError):
            errors.append(f"{path}:{number}: not an anchor: {raw[:80]!r}")
    return anchors, errors


def last_anchor_at(path: Path | None = None) -> dt.datetime | None:
    anchors, _errors = anchors_read(path)
    times = []
    for a in anchors:
        try:
            times.append(dt.datetime.fromisoformat(a.at))
        except ValueError:
            continue
    return max(times) if times else None
