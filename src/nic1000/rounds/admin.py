"""Read-only admin views of rounds data (writes go through the services and the round pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from nic1000.rounds import models

if TYPE_CHECKING:  # ModelAdmin is generic only in the type stubs
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "program", "state", "published_at")
    list_filter = ("state",)


@admin.register(models.Candidacy)
class CandidacyAdmin(ReadOnlyAdmin):
    list_display = ("company", "round", "lead_body", "sector", "eligible", "score", "rank", "selected")
    list_filter = ("round", "eligible", "selected")
    search_fields = ("company__name_ko", "company__brn")
    list_select_related = ("company", "round", "lead_body")


@admin.register(models.EvaluatorProfile)
class EvaluatorProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "affiliation", "ksic_sections", "active")
    search_fields = ("user__username", "affiliation", "keywords")


@admin.register(models.Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("round", "published_at", "published_by", "selected_count")
