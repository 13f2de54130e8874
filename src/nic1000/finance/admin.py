"""The programme office edits the product catalogue and the Center's routing rules (configuration) here.

Applications, money and tokens are changed only through the services (pages and API), so they are read-only.
"""

from __future__ import annotations

from django.contrib import admin

from nic1000.core.admin import ModelAdmin, ReadOnlyAdmin
from nic1000.finance.models import Application, Product, RoutingRule


@admin.register(Product)
class ProductAdmin(ModelAdmin[Product]):
    list_display = (
        "code",
        "institution",
        "kind",
        "limit_basis",
        "base_limit_ratio",
        "pref_limit_ratio",
        "base_rate_pct",
        "pref_rate_cut_pp",
        "pref_guarantee_ratio_pct",
        "active",
    )
    list_filter = ("institution", "kind", "active")


@admin.register(RoutingRule)
class RoutingRuleAdmin(ModelAdmin[RoutingRule]):
    list_display = (
        "priority",
        "purpose",
        "technology_company",
        "min_amount_krw",
        "max_amount_krw",
        "product",
        "active",
    )
    list_editable = ("active",)
    ordering = ("priority",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin[Application]):
    list_display = (
        "__str__",
        "company",
        "institution",
        "product",
        "state",
        "amount_requested",
        "approved_amount",
    )
    list_filter = ("state", "institution")
