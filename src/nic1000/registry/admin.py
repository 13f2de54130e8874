"""Django admin for the programme office: the registry browseable, nothing changed here.

Companies, patents, technologies and statements are changed through imports and services; bodies and
institutions (reference data) through the reference-data load. The admin changes nothing, so it writes no
change that the audit trail would miss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from nic1000.core.admin import ReadOnlyAdmin, may_browse_admin
from nic1000.registry.models import (
    Body,
    Company,
    CoreTechnology,
    FinancialStatement,
    Institution,
    KsicCode,
    Patent,
)

if TYPE_CHECKING:  # the inline classes are generic for the type checker only
    PatentInlineBase = admin.TabularInline[Patent, Company]
    TechnologyInlineBase = admin.TabularInline[CoreTechnology, Company]
else:
    PatentInlineBase = TechnologyInlineBase = admin.TabularInline


class _ReadOnlyInline:
    """Inline rows shown to whoever may browse the admin, never added, changed or deleted."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_browse_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin[Body]):
    list_display = ("code", "name_ko", "name_en", "kind", "active", "sort_order")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin[Institution]):
    list_display = ("code", "name_ko", "name_en", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name_ko", "name_en")


@admin.register(KsicCode)
class KsicCodeAdmin(ReadOnlyAdmin[KsicCode]):
    list_display = ("code", "name", "level", "section")
    list_filter = ("level", "section")
    search_fields = ("code", "name")


class PatentInline(_ReadOnlyInline, PatentInlineBase):
    model = Patent
    fields = ("application_number", "title", "status", "filed_on", "forward_citations")
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False


class CoreTechnologyInline(_ReadOnlyInline, TechnologyInlineBase):
    model = CoreTechnology
    fields = ("name", "keywords", "trl")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin[Company]):
    list_display = ("name_ko", "brn", "ksic", "region", "founded_on", "employees", "is_sme")
    list_filter = ("is_sme", "is_listed", "ksic_section", "region")
    search_fields = ("name_ko", "name_en", "brn")
    list_select_related = ("ksic",)
    show_full_result_count = False
    inlines = [CoreTechnologyInline, PatentInline]


@admin.register(Patent)
class PatentAdmin(ReadOnlyAdmin[Patent]):
    list_display = ("application_number", "title", "company", "status", "filed_on", "forward_citations")
    list_filter = ("status",)
    search_fields = ("application_number", "title", "company__name_ko")
    list_select_related = ("company",)
    show_full_result_count = False


@admin.register(CoreTechnology)
class CoreTechnologyAdmin(ReadOnlyAdmin[CoreTechnology]):
    list_display = ("name", "company", "trl")
    list_filter = ("trl",)
    search_fields = ("name", "keywords", "company__name_ko")
    list_select_related = ("company",)


@admin.register(FinancialStatement)
class FinancialStatementAdmin(ReadOnlyAdmin[FinancialStatement]):
    list_display = ("company", "fiscal_year", "sales", "net_profit", "equity", "credit_delinquency", "source")
    list_filter = ("fiscal_year", "credit_delinquency", "source")
    search_fields = ("company__name_ko", "company__brn")
    list_select_related = ("company",)
    show_full_result_count = False
