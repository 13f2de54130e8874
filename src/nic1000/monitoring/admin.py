from django.contrib import admin

from nic1000.monitoring.models import EarlyWarningModel, InspectionRun, SupportCase


@admin.register(InspectionRun)
class InspectionRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the inspection service only."""

    list_display = ("period", "status", "processed", "chunks_done", "finished_at")
    readonly_fields = [f.name for f in InspectionRun._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(SupportCase)
class SupportCaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "company", "level", "state", "owner", "due_on")
    list_filter = ("state", "level")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(EarlyWarningModel)
class EarlyWarningModelAdmin(admin.ModelAdmin):
    list_display = ("path", "sha256", "active", "activated_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
