"""Users in the Django admin, read-only: users are created and changed through accounts.services (audited)."""

from __future__ import annotations

from django.contrib import admin

from nic1000.accounts.models import LoginFailure, User
from nic1000.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin[User]):
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
class LoginFailureAdmin(ReadOnlyAdmin[LoginFailure]):
    list_display = ("at", "username", "ip")
    search_fields = ("username", "ip")
