"""Loading the product catalogue and the Center's routing rules from `finance/data/products.json`.

Takes the model classes so the data migration can pass its historical models and tests can reload after a flush.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "products.json"
_DECIMALS = (
    "base_limit_ratio",
    "pref_limit_ratio",
    "base_rate_pct",
    "pref_rate_cut_pp",
    "base_guarantee_ratio_pct",
    "pref_guarantee_ratio_pct",
    "base_fee_pct",
    "pref_fee_cut_pp",
)


def load_products(Institution: Any, Product: Any, RoutingRule: Any) -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    institutions = {i.code: i for i in Institution.objects.all()}
    products = {}
    for order, p in enumerate(data["products"]):
        defaults: dict[str, Any] = {
            "institution": institutions[p["institution"]],
            "name_ko": p["name_ko"],
            "name_en": p["name_en"],
            "kind": p["kind"],
            "limit_basis": p["limit_basis"],
            "limit_cap_krw": p.get("limit_cap_krw"),
            "max_maturity_months": p.get("max_maturity_months", 36),
            "eligibility": p.get("eligibility", {}),
            "sort_order": order,
        }
        for name in _DECIMALS:
            value = p.get(name)
            defaults[name] = (
                Decimal(value) if value is not None else (Decimal(0) if "_cut_" in name else None)
            )
        defaults["base_limit_ratio"] = defaults["base_limit_ratio"] or Decimal(0)
        defaults["pref_limit_ratio"] = defaults["pref_limit_ratio"] or Decimal(0)
        products[p["code"]], _ = Product.objects.update_or_create(code=p["code"], defaults=defaults)
    if not RoutingRule.objects.exists():
        for r in data["routing_rules"]:
            RoutingRule.objects.create(
                priority=r["priority"],
                purpose=r.get("purpose", ""),
                technology_company=r.get("technology_company"),
                min_amount_krw=r.get("min_amount_krw"),
                max_amount_krw=r.get("max_amount_krw"),
                product=products[r["product"]],
                reason_ko=r["reason_ko"],
                reason_en=r["reason_en"],
            )
