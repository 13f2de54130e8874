"""Bad statements give results with reasons, never exceptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nic1000.monitoring import engine, rules
from nic1000.registry.statement_items import ITEM_NAMES
from tests.factories import statement_values


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["company_id", "fiscal_year", *ITEM_NAMES])


@pytest.mark.django_db
def test_missing_items_zero_sales_negative_equity_and_absurd_magnitudes() -> None:
    from nic1000.monitoring.services.early_warning import model_in_use

    base = statement_values()
    missing = {**base, "company_id": 1, "fiscal_year": 2025, "sales": np.nan, "cash": None}
    zero = {**base, "company_id": 2, "fiscal_year": 2025, "sales": 0, "cost_of_products_sold": 0}
    negative = {**base, "company_id": 3, "fiscal_year": 2025, "equity": -(10**9), "total_assets": 0}
    absurd = {**dict.fromkeys(ITEM_NAMES, 10**18), "company_id": 4, "fiscal_year": 2025}
    data = engine.ChunkData(
        statements=_frame([missing, zero, negative, absurd]),
        technology=pd.DataFrame(
            {"company_id": [1, 2, 3, 4, 5], "max_trl": [np.nan] * 5, "cited_patents": [np.nan] * 5}
        ),
    )
    # The inspection's three steps: ratios, scores, rules.
    model, timing = model_in_use(), engine.Timing()
    prepared = engine.prepare_chunk(company_ids=[1, 2, 3, 4, 5], data=data, model=model, timing=timing)
    probabilities, _seconds = engine.score_prepared(model, prepared)
    res = engine.finish_chunk(
        prepared=prepared,
        probabilities=probabilities,
        expected_fiscal_year=2025,
        cfg=rules.RuleConfig(),
        timing=timing,
    )
    f = res.frame
    assert list(f["company_id"]) == [1, 2, 3, 4, 5]
    assert set(f["level"]) <= set(rules.LEVELS)
    probs = f["probability"].to_numpy(dtype=float)
    assert np.all(np.isnan(probs) | ((probs >= 0) & (probs <= 1)))
    assert np.isnan(probs[4])  # company 5 has no statements
    assert f.loc[2, "level"] == "critical"  # negative equity
    assert res.reasons[0] and res.reasons[1]  # missing items / zero sales say why
    assert any("sales" in r or "zero" in r or "missing" in r for r in res.reasons[1].values())
    numeric = f.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numeric).any()
