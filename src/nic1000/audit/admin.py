"""The audit trail in the Django admin: read-only (no add, change or delete), like everywhere else."""

from __future__ import annotations

from django.contrib import admin

from nic1000.audit.models import AuditEntry
from nic1000.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin[AuditEntry]):
    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_type", "object_id", "object_repr")
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
