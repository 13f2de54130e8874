"""The append-only audit trail.

Rows are chained: each row's hash covers its content and the previous row's hash, and `seq` has no gaps,
so `nic1000 audit verify` detects any edit or deletion made behind the application's back. Hashes are keyed
(HMAC, key outside the database: chain.py), and `nic1000 audit anchor` copies the head to a file outside the
database (anchors.py), so neither re-hashing nor cutting the tail and rewinding the head goes unnoticed. The
application itself cannot change or delete a row: the model and its queryset refuse, and on PostgreSQL
triggers refuse UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    # No database constraint: deleting a user must never touch the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """The chain's head (one row). Locking it serialises writers so the chain never forks.

    `legacy_seq`: rows up to this seq were written before the chain was keyed and keep their plain SHA-256 hash
    (they stay tamper-evident: row legacy_seq + 1, keyed, covers the last one's hash; anchors record it too)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    legacy_seq = models.BigIntegerField(default=0)


class ChainVerification(models.Model):
    """One run of the chain's verification from the audit pages (or the command): when, by whom, how many rows,
    and the first bad row if any. The latest says when the trail was last known to be intact."""

    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    by_label = models.CharField(max_length=150)
    rows_checked = models.BigIntegerField(default=0)
    ok = models.BooleanField()
    first_bad_seq = models.BigIntegerField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)  # [{"seq", "message"}], at most PROBLEMS_KEPT
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"verification {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'broken'}"
