"""Core tables in the Django admin, read-only: state history, notifications, programme settings.

Programme settings are changed on their own page (accounts:program_settings), which audits the change.
Also the admin base classes of every app: `ModelAdmin[Model]` (typed like django-stubs' generic ModelAdmin)
and `ReadOnlyAdmin[Model]` for tables that only services write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from nic1000.core.models import Notification, ProgramSetting, StateChange

_M = TypeVar("_M", bound=Model)

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin as ModelAdmin
else:

    class ModelAdmin(admin.ModelAdmin):
        """Django's ModelAdmin, which django-stubs types as generic in its model: `ModelAdmin[Product]`."""

        def __class_getitem__(cls, model: Any) -> type:
            return cls


class ReadOnlyAdmin(ModelAdmin[_M]):
    """Rows only services write (they audit every change): the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin[StateChange]):
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
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(ProgramSetting)
class ProgramSettingAdmin(ReadOnlyAdmin[ProgramSetting]):
    list_display = ("require_staff_2fa", "updated_at")
