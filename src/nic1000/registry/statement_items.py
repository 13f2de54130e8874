"""The financial statement items (docs/statement-items.md). One list, used by the model, imports and ratios."""

from __future__ import annotations

# (name, Korean label, English label, may be negative)
BALANCE_SHEET_ITEMS: tuple[tuple[str, str, str, bool], ...] = (
    ("cash", "현금및현금성자산", "Cash and cash equivalents", False),
    ("short_term_securities", "단기금융상품", "Short-term securities", False),
    ("receivables", "매출채권", "Receivables", False),
    ("inventory", "재고자산", "Inventory", False),
    ("current_assets", "유동자산", "Current assets", False),
    ("fixed_assets", "비유동자산", "Fixed (non-current) assets", False),
    ("total_assets", "자산총계", "Total assets", False),
    ("short_term_liabilities", "유동부채", "Short-term liabilities", False),
    ("long_term_liabilities", "비유동부채", "Long-term liabilities", False),
    ("total_liabilities", "부채총계", "Total liabilities", False),
    ("share_capital", "자본금", "Share capital", False),
    ("retained_earnings", "이익잉여금", "Retained earnings", True),
    ("equity", "자본총계", "Equity", True),
)
INCOME_STATEMENT_ITEMS: tuple[tuple[str, str, str, bool], ...] = (
    ("sales", "매출액", "Sales", False),
    ("cost_of_products_sold", "매출원가", "Cost of products sold", False),
    ("operating_expenses", "영업비용", "Operating expenses (incl. cost of sales)", False),
    ("depreciation", "감가상각비", "Depreciation", False),
    ("profit_on_sales", "판매손익", "Profit on sales", True),
    ("profit_on_operating_activities", "영업이익", "Operating profit", True),
    ("financial_expenses", "금융비용", "Financial expenses", False),
    ("interest_expense", "이자비용", "Interest expense", False),
    ("extraordinary_items", "특별손익", "Extraordinary items", True),
    ("gross_profit", "법인세차감전순이익", "Profit before tax", True),
    ("net_profit", "당기순이익", "Net profit", True),
)
ALL_ITEMS = BALANCE_SHEET_ITEMS + INCOME_STATEMENT_ITEMS
ITEM_NAMES: tuple[str, ...] = tuple(name for name, *_ in ALL_ITEMS)
NON_NEGATIVE_ITEMS = frozenset(name for name, _ko, _en, neg in ALL_ITEMS if not neg)
# Relative tolerance when checking that totals add up (rounding in source statements).
BALANCE_TOLERANCE = 0.005


def statement_problems(values: dict[str, int | None]) -> list[tuple[str, str, str]]:
    """Cross-item checks on one statement: [(field, english, korean)]. Pure, used by forms and imports."""
    problems: list[tuple[str, str, str]] = []

    def v(name: str) -> int:
        return int(values.get(name) or 0)

    for name in NON_NEGATIVE_ITEMS:
        if values.get(name) is not None and v(name) < 0:
            problems.append((name, f"{name} cannot be negative", f"{name} 값은 음수일 수 없습니다"))

    def off(a: int, b: int) -> bool:
        scale = max(abs(a), abs(b), 1)
        return abs(a - b) > BALANCE_TOLERANCE * scale and abs(a - b) > 1000

    if off(v("total_assets"), v("total_liabilities") + v("equity")):
        problems.append(
            (
                "total_assets",
                f"the balance sheet does not balance: total assets {v('total_assets'):,} ≠ "
                f"liabilities {v('total_liabilities'):,} + equity {v('equity'):,}",
                "재무상태표 대차가 일치하지 않습니다 (자산총계 ≠ 부채총계 + 자본총계)",
            )
        )
    if off(v("total_assets"), v("current_assets") + v("fixed_assets")):
        problems.append(
            ("total_assets", "total assets ≠ current + fixed assets", "자산총계 ≠ 유동자산 + 비유동자산")
        )
    if off(v("total_liabilities"), v("short_term_liabilities") + v("long_term_liabilities")):
        problems.append(
            (
                "total_liabilities",
                "total liabilities ≠ short-term + long-term liabilities",
                "부채총계 ≠ 유동부채 + 비유동부채",
            )
        )
    parts = v("cash") + v("short_term_securities") + v("receivables") + v("inventory")
    if parts > v("current_assets") * (1 + BALANCE_TOLERANCE) + 1000:
        problems.append(
            (
                "current_assets",
                "current assets are smaller than cash + securities + receivables + inventory",
                "유동자산이 현금·단기금융상품·매출채권·재고자산의 합보다 작습니다",
            )
        )
    if values.get("operating_expenses") is not None and v("operating_expenses") < v("cost_of_products_sold"):
        problems.append(
            (
                "operating_expenses",
                "operating expenses must include the cost of products sold",
                "영업비용은 매출원가를 포함해야 합니다",
            )
        )
    return problems
