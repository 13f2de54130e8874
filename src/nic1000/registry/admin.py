"""Django admin for the programme office: the registry browseable, reference data editable with an audit row.

Companies, patents, technologies and statements are changed through imports and services only, so here they
are read-only. Bodies and institutions (configuration) may be edited; each save writes an audit entry in the
same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.registry.models import (
    Body,
    Company,
    CoreTechnology,
    FinancialStatement,
    Institution,
    KsicCode,
    Patent,
)

if TYPE_CHECKING:  # the admin classes are generic for the type checker only
    ModelAdmin = admin.ModelAdmin[Any]
    PatentInlineBase = admin.TabularInline[Patent, Company]
    TechnologyInlineBase = admin.TabularInline[CoreTechnology, Company]
else:
    ModelAdmin = admin.ModelAdmin
    PatentInlineBase = TechnologyInlineBase = admin.TabularInline


class ReadOnlyAdmin(ModelAdmin):
    """Browse and search only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedReferenceAdmin(ModelAdmin):
    """Reference data: every save writes an audit row (before/after of the changed fields); no deletes."""

    audited_fields: tuple[str, ...] = ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before: dict[str, Any] = {}
            if change and obj.pk:
                before = snapshot(type(obj).objects.get(pk=obj.pk), self.audited_fields)
            super().save_model(request, obj, form, change)
            after = snapshot(obj, self.audited_fields)
            name = obj._meta.model_name
            audit_record(
                actor=request.user,
                action=f"{name}.{'update' if change else 'create'}",
                obj=obj,
                changes=diff(before, after) if change else created(after),
                reason="Django admin",
            )


@admin.register(Body)
class BodyAdmin(AuditedReferenceAdmin):
    list_display = ("code", "name_ko", "name_en", "kind", "active", "sort_order")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_ko", "name_en")
    audited_fields = ("code", "name_ko", "name_en", "kind", "active", "sort_order")


@admin.register(Institution)
class InstitutionAdmin(AuditedReferenceAdmin):
    list_display = ("code", "name_ko", "name_en", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name_ko", "name_en")
    audited_fields = ("code", "name_ko", "name_en", "kind", "sort_order")


@admin.register(KsicCode)
class KsicCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "section")
    list_filter = ("level", "section")
    search_fields = ("code", "name")


class PatentInline(PatentInlineBase):
    model = Patent
    fields = ("application_number", "title", "status", "filed_on", "forward_citations")
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False


class CoreTechnologyInline(TechnologyInlineBase):
    model = CoreTechnology
    fields = ("name", "keywords", "trl")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ("name_ko", "brn", "ksic", "region", "founded_on", "employees", "is_sme")
    list_filter = ("is_sme", "is_listed", "ksic_section", "region")
    search_fields = ("name_ko", "name_en", "brn")
    list_select_related = ("ksic",)
    show_full_result_count = False
    inlines = [CoreTechnologyInline, PatentInline]


@admin.register(Patent)
class PatentAdmin(ReadOnlyAdmin):
    list_display = ("application_number", "title", "company", "status", "filed_on", "forward_citations")
    list_filter = ("status",)
    search_fields = ("application_number", "title", "company__name_ko")
    list_select_related = ("company",)
    show_full_result_count = False


@admin.register(CoreTechnology)
class CoreTechnologyAdmin(ReadOnlyAdmin):
    list_display = ("name", "company", "trl")
    list_filter = ("trl",)
    search_fields = ("name", "keywords", "company__name_ko")
    list_select_related = ("company",)


@admin.register(FinancialStatement)
class FinancialStatementAdmin(ReadOnlyAdmin):
    list_display = ("company", "fiscal_year", "sales", "net_profit", "equity", "credit_delinquency", "source")
    list_filter = ("fiscal_year", "credit_delinquency", "source")
    search_fields = ("company__name_ko", "company__brn")
    list_select_related = ("company",)
    show_full_result_count = False
