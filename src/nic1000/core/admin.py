"""Core tables in the Django admin, read-only: state history, notifications, programme settings.

Programme settings are changed on their own page (accounts:program_settings), which audits the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nic1000.core.models import Notification, ProgramSetting, StateChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "workflow",
        "object_type",
        "object_id",
        "transition",
        "from_state",
        "to_state",
        "actor",
    )
    list_filter = ("workflow", "to_state")
    search_fields = ("object_type", "object_id", "transition")
    list_select_related = ("actor",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(ProgramSetting)
class ProgramSettingAdmin(ReadOnlyAdmin):
    list_display = ("require_staff_2fa", "updated_at")
