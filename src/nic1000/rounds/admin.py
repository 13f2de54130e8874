"""Read-only admin views of rounds data (writes go through the services and the round pages)."""

from __future__ import annotations

from django.contrib import admin

from nic1000.core.admin import ReadOnlyAdmin
from nic1000.rounds import models


@admin.register(models.Round)
class RoundAdmin(ReadOnlyAdmin[models.Round]):
    list_display = ("number", "name", "program", "state", "published_at")
    list_filter = ("state",)


@admin.register(models.Candidacy)
class CandidacyAdmin(ReadOnlyAdmin[models.Candidacy]):
    list_display = ("company", "round", "lead_body", "sector", "eligible", "score", "rank", "selected")
    list_filter = ("round", "eligible", "selected")
    search_fields = ("company__name_ko", "company__brn")
    list_select_related = ("company", "round", "lead_body")


@admin.register(models.EvaluatorProfile)
class EvaluatorProfileAdmin(ReadOnlyAdmin[models.EvaluatorProfile]):
    list_display = ("user", "affiliation", "ksic_sections", "active")
    search_fields = ("user__username", "affiliation", "keywords")


@admin.register(models.Publication)
class PublicationAdmin(ReadOnlyAdmin[models.Publication]):
    list_display = ("round", "published_at", "published_by", "selected_count")
