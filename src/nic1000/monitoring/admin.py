"""Read-only admin pages: monitoring rows are written by its services only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nic1000.monitoring.models import EarlyWarningModel, InspectionRun, SupportCase


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]  # the model is each subclass's
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InspectionRun)
class InspectionRunAdmin(ReadOnly):
    list_display = ("period", "status", "processed", "chunks_done", "finished_at")
    readonly_fields = [f.name for f in InspectionRun._meta.fields]


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnly):
    list_display = ("pk", "company", "level", "state", "owner", "due_on")
    list_filter = ("state", "level")


@admin.register(EarlyWarningModel)
class EarlyWarningModelAdmin(ReadOnly):
    list_display = ("path", "sha256", "active", "activated_at")
