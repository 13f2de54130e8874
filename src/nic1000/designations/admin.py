"""Read-only admin view of designations (written by publication and removal services only)."""

from __future__ import annotations

from django.contrib import admin

from nic1000.core.admin import ReadOnlyAdmin
from nic1000.designations.models import Membership


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin[Membership]):
    list_display = ("company", "round", "body", "sector", "status", "selected_on")
    list_filter = ("status", "round")
    search_fields = ("company__name_ko",)
