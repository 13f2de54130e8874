"""Tests for nic1000.algorithms.ratios. Expected values are computed by hand below, not with the module."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nic1000.algorithms import ratios as R

# A small hand-made statement (whole KRW; small numbers keep the arithmetic checkable by hand).
BASE = {
    "cash": 100,
    "short_term_securities": 50,
    "receivables": 200,
    "inventory": 150,
    "current_assets": 600,
    "fixed_assets": 400,
    "total_assets": 1000,
    "short_term_liabilities": 300,
    "long_term_liabilities": 200,
    "total_liabilities": 500,
    "share_capital": 100,
    "retained_earnings": 250,
    "equity": 500,
    "sales": 2000,
    "cost_of_products_sold": 1200,
    "operating_expenses": 1800,
    "depreciation": 50,
    "profit_on_sales": 200,
    "profit_on_operating_activities": 180,
    "financial_expenses": 30,
    "interest_expense": 20,
    "extraordinary_items": 10,
    "gross_profit": 160,
    "net_profit": 120,
}

# Hand-computed from BASE.
EXPECTED = {
    "X1": 120 / 1000,  # 0.12
    "X2": 0.5,
    "X3": 0.3,  # (600 - 300) / 1000
    "X4": 2.0,  # 600 / 300
    "X5": 50 / 1750 * 365,  # (100 + 50 + 200 - 300) / (1800 - 50) * 365
    "X6": 0.25,
    "X7": 0.18,  # (160 + 20) / 1000
    "X8": 1.0,
    "X9": 2.0,
    "X10": 0.5,
    "X11": 0.2,  # (160 + 10 + 30) / 1000
    "X12": 160 / 300,
    "X13": 0.105,  # 210 / 2000
    "X14": 0.18,
    "X15": 500 * 365 / 210,
    "X16": 0.42,  # 210 / 500
    "X17": 2.0,
    "X18": 0.16,
    "X19": 0.08,
    "X20": 27.375,  # 150 * 365 / 2000
    "X22": 0.18,
    "X23": 0.06,
    "X25": 0.4,  # (500 - 100) / 1000
    "X26": 0.34,  # 170 / 500
    "X27": 6.0,  # 180 / 30
    "X28": 0.75,  # 300 / 400
    "X29": 3.0,  # log10(1000)
    "X30": 0.2,  # (500 - 100) / 2000
    "X31": 0.09,  # 180 / 2000
    "X32": 91.25,  # 300 * 365 / 1200
    "X33": 6.0,  # 1800 / 300
    "X34": 3.6,
    "X35": 0.2,
    "X36": 2.0,
    "X37": 2.25,  # (600 - 150) / 200
    "X38": 0.7,  # (500 + 200) / 1000
    "X39": 0.1,
    "X40": 250 / 300,  # (600 - 150 - 200) / 300
    "X41": 500 * 365 / (230 * 12),  # 500 / ((180 + 50) * 12/365)
    "X42": 0.09,
    "X43": 63.875,  # (200 + 150) * 365 / 2000
    "X44": 36.5,
    "X45": 0.8,
    "X46": 1.5,
    "X47": 45.625,  # 150 * 365 / 1200
    "X48": 0.13,  # (180 - 50) / 1000
    "X49": 0.065,
    "X50": 1.2,
    "X51": 0.3,
    "X52": 91.25,
    "X53": 1.25,
    "X54": 1.75,
    "X55": 300.0,
    "X56": 0.4,
    "X57": 150 / 1790,  # (600 - 150 - 300) / (2000 - 160 - 50)
    "X58": 0.915,  # (1800 + 30) / 2000
    "X59": 0.4,
    "X60": 2000 / 150,
    "X61": 10.0,
    "X62": 54.75,
    "X63": 2000 / 300,
    "X64": 5.0,
}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def row(company_id: int = 1, fiscal_year: int = 2023, **changes) -> dict:
    return {"company_id": company_id, "fiscal_year": fiscal_year, **BASE, **changes}


def test_output_shape_and_columns():
    res = R.compute_ratios(frame(row(), row(company_id=2)))
    assert list(res.values.columns) == list(R.OUTPUT_COLUMNS)
    assert list(res.reasons.columns) == list(R.OUTPUT_COLUMNS)
    assert res.values.shape == res.reasons.shape == (2, 2 + 64 + 3)
    assert [f"X{i}" for i in range(1, 65)] == list(R.RATIO_COLUMNS)


@pytest.mark.parametrize("ratio", sorted(EXPECTED, key=lambda k: int(k[1:])))
def test_hand_computed_ratios(ratio):
    res = R.compute_ratios(frame(row()))
    assert res.values[ratio].iloc[0] == pytest.approx(EXPECTED[ratio], rel=1e-12)
    assert res.reasons[ratio].iloc[0] is None


def test_all_single_year_ratios_covered_by_hand_values():
    assert set(R.RATIO_COLUMNS) - set(EXPECTED) == {"X21", "X24"}


def test_previous_years_x21_x24():
    rows = [
        row(fiscal_year=2023),
        row(fiscal_year=2021, sales=0, gross_profit=40),
        row(fiscal_year=2022, sales=1600, gross_profit=100),
        row(company_id=2, fiscal_year=2020),
        row(company_id=2, fiscal_year=2023),  # gap: 2022 missing
    ]
    res = R.compute_ratios(frame(*rows))
    v, r = res.values, res.reasons
    # 2023: X21 = 2000 / 1600, X24 = (160 + 100 + 40) / 1000
    assert v.loc[0, "X21"] == pytest.approx(1.25)
    assert v.loc[0, "X24"] == pytest.approx(0.3)
    assert r.loc[0, "X21"] is None and r.loc[0, "X24"] is None
    # 2021: first year
    assert math.isnan(v.loc[1, "X21"]) and r.loc[1, "X21"] == "needs previous year"
    assert math.isnan(v.loc[1, "X24"]) and "needs 3 years" in r.loc[1, "X24"]
    # 2022: previous year's sales are 0; only two years available for X24
    assert math.isnan(v.loc[2, "X21"]) and r.loc[2, "X21"] == "division by zero: previous year sales = 0"
    assert math.isnan(v.loc[2, "X24"]) and "needs 3 years" in r.loc[2, "X24"]
    # company 2: gap year
    assert math.isnan(v.loc[4, "X21"]) and r.loc[4, "X21"] == "needs previous year"
    # rows keep input order and ids
    assert v["fiscal_year"].tolist() == [2023, 2021, 2022, 2020, 2023]


def test_previous_year_missing_sales():
    res = R.compute_ratios(frame(row(fiscal_year=2022, sales=np.nan), row(fiscal_year=2023)))
    assert res.reasons.loc[1, "X21"] == "missing item: sales (previous year)"
    assert math.isnan(res.values.loc[1, "X21"])


def test_zero_division_reason():
    res = R.compute_ratios(frame(row(short_term_liabilities=0)))
    assert math.isnan(res.values["X4"].iloc[0])
    assert res.reasons["X4"].iloc[0] == "division by zero: short_term_liabilities = 0"
    # composite denominator: operating_expenses − depreciation = 0
    res = R.compute_ratios(frame(row(operating_expenses=50, depreciation=50)))
    assert math.isnan(res.values["X5"].iloc[0])
    assert res.reasons["X5"].iloc[0].startswith("division by zero: operating_expenses")


def test_missing_item_reason_and_other_ratios_unaffected():
    res = R.compute_ratios(frame(row(inventory=np.nan)))
    for ratio in ("X20", "X37", "X40", "X43", "X45", "X46", "X47", "X57", "X60"):
        assert math.isnan(res.values[ratio].iloc[0]), ratio
        assert res.reasons[ratio].iloc[0] == "missing item: inventory", ratio
    assert res.values["X1"].iloc[0] == pytest.approx(0.12)


def test_absent_column_counts_as_missing():
    df = frame(row()).drop(columns=["receivables"])
    res = R.compute_ratios(df)
    assert res.reasons["X61"].iloc[0] == "missing item: receivables"
    assert res.values["X4"].iloc[0] == pytest.approx(2.0)


def test_missing_beats_zero_division():
    res = R.compute_ratios(frame(row(sales=0, inventory=np.nan)))
    assert res.reasons["X20"].iloc[0] == "missing item: inventory"
    assert res.reasons["X19"].iloc[0] == "division by zero: sales = 0"


def test_negative_total_assets():
    res = R.compute_ratios(frame(row(total_assets=-1000)))
    assert math.isnan(res.values["X29"].iloc[0])
    assert "non-positive" in res.reasons["X29"].iloc[0]
    assert res.values["X1"].iloc[0] == pytest.approx(-0.12)  # ordinary ratios still computed
    res0 = R.compute_ratios(frame(row(total_assets=0)))
    assert "non-positive" in res0.reasons["X29"].iloc[0]
    assert res0.reasons["X1"].iloc[0] == "division by zero: total_assets = 0"


def test_non_numeric_text_is_missing():
    res = R.compute_ratios(frame(row(cash="n/a")))
    assert res.reasons["X30"].iloc[0] == "missing item: cash"


def test_altman_z2_and_zone():
    res = R.compute_ratios(frame(row()))
    # 6.56·0.3 + 3.26·0.25 + 6.72·0.18 + 1.05·(500/500) = 1.968 + 0.815 + 1.2096 + 1.05
    assert res.values["altman_z2"].iloc[0] == pytest.approx(5.0426)
    assert R.altman_zone(5.0426) == "safe"
    # distress example: WC = −200, RE = −300, EBIT = −50, equity/TL = 100/900
    bad = R.compute_ratios(
        frame(
            row(
                current_assets=400,
                short_term_liabilities=600,
                retained_earnings=-300,
                gross_profit=-70,
                interest_expense=20,
                equity=100,
                total_liabilities=900,
            )
        )
    )
    z = 6.56 * (-0.2) + 3.26 * (-0.3) + 6.72 * (-0.05) + 1.05 * (100 / 900)
    assert bad.values["altman_z2"].iloc[0] == pytest.approx(z)
    assert R.altman_zone(z) == "distress"
    assert R.altman_zone(2.60) == "grey" and R.altman_zone(1.10) == "grey"
    assert R.altman_zone(2.6001) == "safe" and R.altman_zone(1.0999) == "distress"
    assert R.altman_zone(float("nan")) is None and R.altman_zone(None) is None
    zones = R.altman_zones(pd.Series([3.0, 2.0, 0.5, np.nan]))
    assert zones.tolist() == ["safe", "grey", "distress", None]
    tl0 = R.compute_ratios(frame(row(total_liabilities=0)))
    assert tl0.reasons["altman_z2"].iloc[0] == "division by zero: total_liabilities = 0"


def test_cash_runway():
    # net profit −240, depreciation 0 → burn 20 / month; cash 100 → 5 months
    res = R.compute_ratios(frame(row(net_profit=-240, depreciation=0), row(company_id=2)))
    assert res.values["cash_runway_months"].iloc[0] == pytest.approx(5.0)
    assert bool(res.values["burning_cash"].iloc[0]) is True
    assert res.reasons["cash_runway_months"].iloc[0] is None
    # BASE: 120 + 50 > 0 → not burning, NaN (never +inf)
    assert math.isnan(res.values["cash_runway_months"].iloc[1])
    assert res.reasons["cash_runway_months"].iloc[1] == "not burning cash"
    assert bool(res.values["burning_cash"].iloc[1]) is False
    # depreciation is added back: −100 + 40 = −60 → 5 / month; cash 100 → 20 months
    r2 = R.compute_ratios(frame(row(net_profit=-100, depreciation=40)))
    assert r2.values["cash_runway_months"].iloc[0] == pytest.approx(20.0)
    # burning with negative cash: no runway left
    r3 = R.compute_ratios(frame(row(net_profit=-100, depreciation=0, cash=-5)))
    assert r3.values["cash_runway_months"].iloc[0] == 0.0
    # unknown net profit → burning_cash is NA with a reason
    r4 = R.compute_ratios(frame(row(net_profit=np.nan)))
    assert pd.isna(r4.values["burning_cash"].iloc[0])
    assert r4.reasons["burning_cash"].iloc[0] == "missing item: net_profit"
    assert r4.reasons["cash_runway_months"].iloc[0] == "missing item: net_profit"


def test_compute_single():
    res = R.compute_single(
        BASE, previous=[{**BASE, "sales": 1600, "gross_profit": 100}, {**BASE, "gross_profit": 40}]
    )
    assert res.values["X1"] == pytest.approx(0.12)
    assert res.values["X21"] == pytest.approx(1.25)
    assert res.values["X24"] == pytest.approx(0.3)
    assert res.values["burning_cash"] is False
    alone = R.compute_single(BASE)
    assert math.isnan(alone.values["X21"]) and alone.reasons["X21"] == "needs previous year"


def test_labels_cover_all_ratios_in_both_languages():
    for col in (*R.RATIO_COLUMNS, "altman_z2", "cash_runway_months"):
        assert R.RATIO_LABELS[col]["en"] and R.RATIO_LABELS[col]["ko"]
    assert set(R.ITEMS) == set(BASE)


def test_empty_frame():
    res = R.compute_ratios(pd.DataFrame(columns=["company_id", "fiscal_year", *R.ITEMS]))
    assert res.values.shape == (0, len(R.OUTPUT_COLUMNS))


def test_many_companies_shuffled_matches_per_company():
    rng = np.random.default_rng(7)
    n_comp, years = 50, [2020, 2021, 2022]
    rows = []
    for c in range(n_comp):
        for y in years:
            rows.append(
                row(
                    company_id=c,
                    fiscal_year=y,
                    sales=int(rng.integers(1, 10_000)),
                    gross_profit=int(rng.integers(-500, 500)),
                )
            )
    df = pd.DataFrame(rows).sample(frac=1, random_state=3)
    res = R.compute_ratios(df)
    for idx in df.index[:20]:
        c, y = df.loc[idx, "company_id"], df.loc[idx, "fiscal_year"]
        prev = df[(df.company_id == c) & (df.fiscal_year == y - 1)]
        if prev.empty:
            assert res.reasons.loc[idx, "X21"] == "needs previous year"
        else:
            assert res.values.loc[idx, "X21"] == pytest.approx(df.loc[idx, "sales"] / prev["sales"].iloc[0])


# ---- property test ---------------------------------------------------------------------------------------

_amount = st.one_of(
    st.sampled_from([0, 1, -1, 1e15, -1e15, float("nan"), 10**15, -(10**15)]),
    st.floats(min_value=-1e15, max_value=1e15),
    st.integers(min_value=-(10**15), max_value=10**15),
)
_statement = st.fixed_dictionaries(dict.fromkeys(R.ITEMS, _amount))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_statement, min_size=1, max_size=4), st.lists(st.integers(2019, 2023), min_size=4, max_size=4)
)
def test_property_never_inf_never_raises(statements, years):
    df = pd.DataFrame(statements)
    df.insert(0, "company_id", [1] * len(df))
    df.insert(1, "fiscal_year", years[: len(df)])
    with np.errstate(all="raise"):  # the module must silence its own warnings
        res = R.compute_ratios(df)
    num = res.values[[*R.RATIO_COLUMNS, "altman_z2", "cash_runway_months"]].to_numpy(dtype="float64")
    assert not np.isinf(num).any()
    reasons = res.reasons[[*R.RATIO_COLUMNS, "altman_z2", "cash_runway_months"]].to_numpy()
    has_reason = np.vectorize(lambda r: r is not None, otypes=[bool])(reasons)
    # NaN exactly where a reason is given
    assert (np.isnan(num) == has_reason).all()
    assert (
        res.values["burning_cash"].isna().to_numpy() == res.reasons["burning_cash"].notna().to_numpy()
    ).all()


# ---- the table of plain ratios -------------------------------------------------------------------------


def test_every_output_column_is_computed_by_exactly_one_spec_or_measure():
    by_spec = [s.name for s in R.RATIO_SPECS]
    by_measure = [*R.MEASURES, "burning_cash"]
    assert len(set(by_spec)) == len(by_spec)
    assert set(by_spec) <= set(R.RATIO_COLUMNS)
    assert not set(by_spec) & set(by_measure)
    assert sorted([*by_spec, *by_measure]) == sorted([*R.RATIO_COLUMNS, *R.EXTRA_COLUMNS])
    assert set(R.RATIO_COLUMNS) - set(by_spec) == {"X21", "X24", "X29", "X55"}


@pytest.mark.parametrize("spec", R.RATIO_SPECS, ids=lambda s: s.name)
def test_spec_reads_statement_items_only(spec):
    assert set(spec.items) <= set(R.ITEMS)
    assert not spec.numerator[0].startswith("-") and not spec.denominator[0].startswith("-")
    assert spec.name in R.RATIO_LABELS


def _terms(statement: dict, terms: tuple[str, ...]) -> float:
    total = float(statement[terms[0]])
    for t in terms[1:]:
        total = total - statement[t[1:]] if t.startswith("-") else total + statement[t]
    return total


@pytest.mark.parametrize("spec", R.RATIO_SPECS, ids=lambda s: s.name)
def test_loop_computes_each_spec_from_its_terms(spec):
    res = R.compute_ratios(frame(row()))
    den = _terms(BASE, spec.denominator) * spec.denominator_factor
    assert res.values[spec.name].iloc[0] == pytest.approx(spec.scale * _terms(BASE, spec.numerator) / den)
    assert res.reasons[spec.name].iloc[0] is None


@pytest.mark.parametrize("spec", R.RATIO_SPECS, ids=lambda s: s.name)
def test_loop_explains_each_spec_zero_denominator_and_missing_item(spec):
    first = spec.denominator[0]
    rest = _terms({**BASE, first: 0}, spec.denominator)  # the denominator without its first item
    res = R.compute_ratios(frame(row(**{first: -rest})))
    assert math.isnan(res.values[spec.name].iloc[0])
    assert res.reasons[spec.name].iloc[0] == spec.zero_reason
    assert spec.zero_reason.startswith(f"division by zero: {first}")
    # the first missing item (numerator first) is named, and beats the zero denominator
    res = R.compute_ratios(frame(row(**{first: -rest, spec.items[0]: np.nan})))
    assert res.reasons[spec.name].iloc[0] == f"missing item: {spec.items[0]}"


def test_compound_denominator_reasons_name_the_whole_sum():
    specs = {s.name: s for s in R.RATIO_SPECS}
    assert specs["X5"].zero_reason == "division by zero: operating_expenses − depreciation = 0"
    assert specs["X41"].zero_reason == "division by zero: profit_on_operating_activities + depreciation = 0"
    assert specs["X57"].zero_reason == "division by zero: sales − gross_profit − depreciation = 0"
