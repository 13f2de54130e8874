"""The product catalogue, the Center's routing rules and applications in the admin, read-only.

A base rate changed here would change offers with no audit entry; everything is changed through the services
(pages and API), which audit.
"""

from __future__ import annotations

from django.contrib import admin

from nic1000.core.admin import ReadOnlyAdmin
from nic1000.finance.models import Application, Product, RoutingRule


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin[Product]):
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
class RoutingRuleAdmin(ReadOnlyAdmin[RoutingRule]):
    list_display = (
        "priority",
        "purpose",
        "technology_company",
        "min_amount_krw",
        "max_amount_krw",
        "product",
        "active",
    )
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
