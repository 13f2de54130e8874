"""Core tables in the Django admin, read-only: state history, notifications (their e-mail deliveries, users'
channel preferences), programme settings.

Programme settings are changed on their own page (accounts:program_settings), which audits the change.
Also the admin base classes of every app: `ModelAdmin[Model]` (typed like django-stubs' generic ModelAdmin)
and `ReadOnlyAdmin[Model]` for tables that only services write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from nic1000.core.models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
    ProgramSetting,
    StateChange,
)
from nic1000.core.roles import OFFICE

_M = TypeVar("_M", bound=Model)

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin as ModelAdmin
else:

    class ModelAdmin(admin.ModelAdmin):
        """Django's ModelAdmin, which django-stubs types as generic in its model: `ModelAdmin[Product]`."""

        def __class_getitem__(cls, model: Any) -> type:
            return cls


def may_browse_admin(request: HttpRequest) -> bool:
    """The programme office (a staff user, not a superuser) browses the admin; so does a superuser."""
    user = request.user
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or getattr(user, "role", None) in OFFICE)
    )


class ReadOnlyAdmin(ModelAdmin[_M]):
    """Rows only services write (they audit every change): the admin shows them and changes nothing.

    Nobody adds, changes or deletes here, a superuser included; the programme office may look without holding
    Django model permissions (it is not a superuser)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_browse_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return may_browse_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # no bulk actions (Django's "delete selected" among them)


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


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdmin[NotificationDelivery]):
    list_display = ("created_at", "to_address", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("to_address",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin[NotificationPreference]):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind",)
    list_select_related = ("user",)


@admin.register(ProgramSetting)
class ProgramSettingAdmin(ReadOnlyAdmin[ProgramSetting]):
    list_display = ("require_staff_2fa", "updated_at")
