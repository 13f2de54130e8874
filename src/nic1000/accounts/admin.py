"""Users in the Django admin, read-only: users are created and changed through accounts.services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nic1000.accounts.models import LoginFailure, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = (
        "username",
        "display_name",
        "role",
        "body",
        "institution",
        "company",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "body", "institution")
    search_fields = ("username", "display_name", "email")
    list_select_related = ("body", "institution", "company")
    exclude = ("password",)
    raw_id_fields = ("company",)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "ip")
    search_fields = ("username", "ip")
