"""Alert rules: technology companies with runway are not warned for debt or losses; going-concern signals are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nic1000.monitoring import rules


def frame(**cols: object) -> pd.DataFrame:
    base = {
        "fiscal_year": 2025,
        "expected_fiscal_year": 2025,
        "probability": 0.02,
        "equity": 500.0,
        "share_capital": 100.0,
        "net_profit": 10.0,
        "sales": 1000.0,
        "prev_sales": 900.0,
        "debt_ratio": 0.5,
        "runway_months": np.nan,
        "burning_cash": False,
        "max_trl": 5,
        "cited_patents": 0,
    }
    base.update(cols)
    return pd.DataFrame([base])


def level(**cols: object) -> tuple[str, list[str]]:
    out = rules.evaluate(frame(**cols), rules.RuleConfig())
    return out.level[0], out.fired[0]


def test_healthy_company_is_normal() -> None:
    assert level() == ("normal", [])


def test_tech_company_with_losses_and_high_debt_but_runway_is_not_warned() -> None:
    lv, fired = level(
        net_profit=-50.0, debt_ratio=0.9, probability=0.45, runway_months=30.0, burning_cash=True, max_trl=8
    )
    assert lv == "watch"
    assert "runway_and_technology" in fired and "high_debt" in fired


def test_patents_with_citations_count_as_strong_technology() -> None:
    lv, fired = level(debt_ratio=0.95, runway_months=14.0, burning_cash=True, max_trl=3, cited_patents=2)
    assert lv == "watch" and "runway_and_technology" in fired


def test_without_runway_high_debt_warns() -> None:
    lv, fired = level(net_profit=-50.0, debt_ratio=0.9, runway_months=5.0, burning_cash=True, max_trl=8)
    assert lv == "warning"
    assert "runway_and_technology" not in fired


def test_without_technology_high_debt_warns() -> None:
    lv, _ = level(debt_ratio=0.9, runway_months=40.0, burning_cash=True, max_trl=4)
    assert lv == "warning"


@pytest.mark.parametrize(
    ("cols", "expected", "code"),
    [
        ({"equity": -10.0}, "critical", "negative_equity"),
        ({"equity": 50.0, "share_capital": 100.0}, "warning", "capital_impairment"),
        ({"fiscal_year": 2024}, "warning", "missed_submission"),
        ({"fiscal_year": np.nan, "equity": np.nan, "sales": np.nan}, "warning", "missed_submission"),
        ({"sales": 300.0, "prev_sales": 1000.0}, "warning", "sales_collapse"),
    ],
)
def test_going_concern_signals_raise_even_with_runway_and_technology(cols, expected, code) -> None:
    lv, fired = level(runway_months=60.0, burning_cash=True, max_trl=9, cited_patents=5, **cols)
    assert lv == expected
    assert code in fired


def test_two_going_concern_signals_are_critical() -> None:
    lv, _ = level(equity=50.0, share_capital=100.0, sales=100.0, prev_sales=1000.0)
    assert lv == "critical"


def test_nan_and_absurd_values_never_raise() -> None:
    df = pd.DataFrame(
        {
            "probability": [np.nan, 1e300, -5.0],
            "equity": [np.nan, 1e30, -1e30],
            "debt_ratio": [np.inf, np.nan, -np.inf],
            "fiscal_year": [np.nan, 2025, 2025],
            "expected_fiscal_year": [2025, 2025, 2025],
        }
    )
    out = rules.evaluate(df, rules.RuleConfig())
    assert list(out.level) == ["warning", "critical", "critical"]


def test_config_override(settings) -> None:
    settings.NIC1000_MONITORING_RULES = {"runway_months_min": 100}
    cfg = rules.current_config()
    assert cfg.runway_months_min == 100
    settings.NIC1000_MONITORING_RULES = {"nonsense": 1}
    with pytest.raises(ValueError, match="nonsense"):
        rules.current_config()


def test_the_rules_setting_reads_inline_json_or_a_file(tmp_path, monkeypatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from nic1000.settings import env_json_object

    monkeypatch.setenv("X_RULES", '{"high_debt_ratio": 0.9}')
    assert env_json_object("X_RULES") == {"high_debt_ratio": 0.9}
    path = tmp_path / "rules.json"
    path.write_text('{"case_level": "critical"}', encoding="utf-8")
    monkeypatch.setenv("X_RULES", str(path))
    assert env_json_object("X_RULES") == {"case_level": "critical"}
    monkeypatch.delenv("X_RULES")
    assert env_json_object("X_RULES") == {}
    for bad in ("{not json", str(tmp_path / "missing.json"), "[1, 2]"):
        monkeypatch.setenv("X_RULES", bad)
        with pytest.raises(ImproperlyConfigured, match="X_RULES"):
            env_json_object("X_RULES")


def test_describe_translates_the_rules_words(monkeypatch) -> None:
    from django.utils import translation

    with translation.override("en"):
        en = rules.describe(["runway_and_technology", "no_such_rule"])
    assert "runway" in en[0]["text"] and en[0]["level"] == "watch" and en[1]["text"] == "no_such_rule"
    # The words go through gettext in the active language (their Korean lives in the .po).
    monkeypatch.setattr(rules, "gettext", lambda text: f"<{text}>")
    assert rules.describe(["net_loss"])[0]["text"] == "<Net loss in the year>"
