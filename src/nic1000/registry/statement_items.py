"""The financial statement items (docs/statement-items.md). One list, used by the model, imports and ratios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from nic1000.registry.messages import lazy_format

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# (name, Korean label, English label, may be negative). The Korean label is the template header (matched in
# files, so it lives here); the English label is a msgid too, shown translated on pages.
BALANCE_SHEET_ITEMS: tuple[tuple[str, str, str, bool], ...] = (
    ("cash", "현금및현금성자산", gettext_noop("Cash and cash equivalents"), False),
    ("short_term_securities", "단기금융상품", gettext_noop("Short-term securities"), False),
    ("receivables", "매출채권", gettext_noop("Receivables"), False),
    ("inventory", "재고자산", gettext_noop("Inventory"), False),
    ("current_assets", "유동자산", gettext_noop("Current assets"), False),
    ("fixed_assets", "비유동자산", gettext_noop("Fixed (non-current) assets"), False),
    ("total_assets", "자산총계", gettext_noop("Total assets"), False),
    ("short_term_liabilities", "유동부채", gettext_noop("Short-term liabilities"), False),
    ("long_term_liabilities", "비유동부채", gettext_noop("Long-term liabilities"), False),
    ("total_liabilities", "부채총계", gettext_noop("Total liabilities"), False),
    ("share_capital", "자본금", gettext_noop("Share capital"), False),
    ("retained_earnings", "이익잉여금", gettext_noop("Retained earnings"), True),
    ("equity", "자본총계", gettext_noop("Equity"), True),
)
INCOME_STATEMENT_ITEMS: tuple[tuple[str, str, str, bool], ...] = (
    ("sales", "매출액", gettext_noop("Sales"), False),
    ("cost_of_products_sold", "매출원가", gettext_noop("Cost of products sold"), False),
    ("operating_expenses", "영업비용", gettext_noop("Operating expenses (incl. cost of sales)"), False),
    ("depreciation", "감가상각비", gettext_noop("Depreciation"), False),
    ("profit_on_sales", "판매손익", gettext_noop("Profit on sales"), True),
    ("profit_on_operating_activities", "영업이익", gettext_noop("Operating profit"), True),
    ("financial_expenses", "금융비용", gettext_noop("Financial expenses"), False),
    ("interest_expense", "이자비용", gettext_noop("Interest expense"), False),
    ("extraordinary_items", "특별손익", gettext_noop("Extraordinary items"), True),
    ("gross_profit", "법인세차감전순이익", gettext_noop("Profit before tax"), True),
    ("net_profit", "당기순이익", gettext_noop("Net profit"), True),
)
ALL_ITEMS = BALANCE_SHEET_ITEMS + INCOME_STATEMENT_ITEMS
ITEM_NAMES: tuple[str, ...] = tuple(name for name, *_rest in ALL_ITEMS)
NON_NEGATIVE_ITEMS = frozenset(name for name, _ko, _en, neg in ALL_ITEMS if not neg)
# Relative tolerance when checking that totals add up (rounding in source statements).
BALANCE_TOLERANCE = 0.005


def statement_problems(values: Mapping[str, int | None]) -> list[tuple[str, StrOrPromise]]:
    """Cross-item checks on one statement: [(field, message)], messages rendered when shown. Pure, used by the
    statement service and imports."""
    problems: list[tuple[str, StrOrPromise]] = []

    def v(name: str) -> int:
        return int(values.get(name) or 0)

    for name in NON_NEGATIVE_ITEMS:
        if values.get(name) is not None and v(name) < 0:
            problems.append((name, lazy_format(_("%(item)s cannot be negative"), item=name)))

    def off(a: int, b: int) -> bool:
        scale = max(abs(a), abs(b), 1)
        return abs(a - b) > BALANCE_TOLERANCE * scale and abs(a - b) > 1000

    if off(v("total_assets"), v("total_liabilities") + v("equity")):
        message = _(
            "the balance sheet does not balance: total assets %(assets)s ≠ liabilities %(liabilities)s + "
            "equity %(equity)s"
        )
        problems.append(
            (
                "total_assets",
                lazy_format(
                    message,
                    assets=f"{v('total_assets'):,}",
                    liabilities=f"{v('total_liabilities'):,}",
                    equity=f"{v('equity'):,}",
                ),
            )
        )
    if off(v("total_assets"), v("current_assets") + v("fixed_assets")):
        problems.append(("total_assets", _("total assets ≠ current + fixed assets")))
    if off(v("total_liabilities"), v("short_term_liabilities") + v("long_term_liabilities")):
        problems.append(("total_liabilities", _("total liabilities ≠ short-term + long-term liabilities")))
    parts = v("cash") + v("short_term_securities") + v("receivables") + v("inventory")
    if parts > v("current_assets") * (1 + BALANCE_TOLERANCE) + 1000:
        problems.append(
            (
                "current_assets",
                _("current assets are smaller than cash + securities + receivables + inventory"),
            )
        )
    if values.get("operating_expenses") is not None and v("operating_expenses") < v("cost_of_products_sold"):
        problems.append(
            ("operating_expenses", _("operating expenses must include the cost of products sold"))
        )
    return problems
