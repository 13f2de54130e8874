"""Read-only admin pages: monitoring rows are written by its services only (no add, change or delete)."""

from __future__ import annotations

from django.contrib import admin

from nic1000.core.admin import ReadOnlyAdmin
from nic1000.monitoring.models import EarlyWarningModel, InspectionRun, SupportCase


@admin.register(InspectionRun)
class InspectionRunAdmin(ReadOnlyAdmin[InspectionRun]):
    list_display = ("period", "status", "processed", "chunks_done", "finished_at")
    readonly_fields = [f.name for f in InspectionRun._meta.fields]


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin[SupportCase]):
    list_display = ("pk", "company", "level", "state", "owner", "due_on")
    list_filter = ("state", "level")


@admin.register(EarlyWarningModel)
class EarlyWarningModelAdmin(ReadOnlyAdmin[EarlyWarningModel]):
    list_display = ("path", "sha256", "active", "activated_at")
