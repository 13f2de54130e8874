"""Users, authenticator devices and login attempts in the Django admin, read-only.

Users are created and changed through accounts.services (audited). An authenticator's secret is never shown
after enrolment (django-otp's own device admin shows the key and a QR code, so it is replaced here); a
second factor is reset through `accounts.services.second_factor_reset` on the programme settings page.
Login attempts (django-axes) are shown, never deleted here: deleting one would silently lift a lockout.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
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
    fields = (
        "username",
        "display_name",
        "email",
        "role",
        "body",
        "institution",
        "company",
        "is_active",
        "is_staff",
        "last_login",
        "date_joined",
    )


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin[TOTPDevice]):
    """Who has an authenticator and when it was used; never the key (nor its QR code)."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin[AccessAttempt]):
    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "path_info")
    search_fields = ("username", "ip_address")
    fields = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "failures_since_start")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin[AccessLog]):
    list_display = ("attempt_time", "logout_time", "username", "ip_address", "path_info")
    search_fields = ("username", "ip_address")
    fields = ("attempt_time", "logout_time", "username", "ip_address", "user_agent", "path_info")


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin[AccessFailureLog]):
    list_display = ("attempt_time", "username", "ip_address", "locked_out")
    search_fields = ("username", "ip_address")
    fields = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "locked_out")
