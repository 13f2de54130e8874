"""Tests for nic1000.algorithms.early_warning (kept fast: small configurations, one reduced CV)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from nic1000.algorithms import early_warning as E
from nic1000.algorithms import ratios as R

FAST = E.EWSConfig(members=3, learning_rate=0.1, max_rounds=150, early_stopping=30, num_threads=1)


def synthetic(n: int = 1500, p: int = 8, seed: int = 0, positive_rate: float = 0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    logit = (
        1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + np.log(positive_rate / (1 - positive_rate))
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X[rng.random((n, p)) < 0.05] = np.nan
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(p)]), y


@pytest.fixture(scope="module")
def small_model():
    X, y = synthetic()
    return E.fit(X, y, config=FAST, metadata={"data_file": "synthetic"}), X, y


# ---- reading data ---------------------------------------------------------------------------------------

ARFF = (
    "% comment\r\n"
    "@relation 'test'\r\n"
    "\r\n"
    "@attribute Attr1 numeric\r\n"
    "@attribute 'Attr 2' REAL\r\n"
    "@attribute class {0,1}\r\n"
    "\r\n"
    "@data\r\n"
    "0.5,1.25,0\r\n"
    "?,2,1\r\n"
    "-3e2,?,0\r\n"
    "1,4,'1'\r\n"
)


def test_load_arff_with_crlf_and_missing(tmp_path):
    f = tmp_path / "t.arff"
    f.write_bytes(ARFF.encode())
    X, y = E.load_table(f, "class")
    assert list(X.columns) == ["Attr1", "Attr 2"]
    assert y.tolist() == [0, 1, 0, 1]
    assert math.isnan(X.loc[1, "Attr1"]) and math.isnan(X.loc[2, "Attr 2"])
    assert X.loc[2, "Attr1"] == -300.0
    assert (X.dtypes == "float64").all()


def test_load_shipped_polish_file():
    X, y = E.load_table(E.default_data_path(), "class")
    assert X.shape == (7027, 64)
    assert int(y.sum()) == 271
    assert X.columns[0] == "Attr1" and X.columns[-1] == "Attr64"
    assert X.isna().to_numpy().any()
    Xr, yr = E.load_default_training_table()
    assert list(Xr.columns) == list(R.RATIO_COLUMNS)
    assert (yr == y).all()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "0", "1", "0"], [1, 0, 1, 0]),
        (["True", "False", "true", "false"], [1, 0, 1, 0]),
        (["yes", "no", "no", "yes"], [1, 0, 0, 1]),
        (["1.0", "0.0", "", "1"], [1, 0, 1]),  # a missing target drops the row
    ],
)
def test_load_csv_target_codings(tmp_path, values, expected):
    f = tmp_path / "t.csv"
    lines = ["a,b,distress"] + [f"{i},{i * 2}.5,{v}" for i, v in enumerate(values)]
    f.write_text("\n".join(lines) + "\n")
    X, y = E.load_table(f, "distress")
    assert y.tolist() == expected
    assert list(X.columns) == ["a", "b"]


def test_target_bytes_bools_ints_in_memory():
    X, y = synthetic(300)
    ys = [b"1" if v else b"0" for v in y]
    m1 = E.fit(X, ys, config=FAST)
    m2 = E.fit(X, [bool(v) for v in y], config=FAST)
    m3 = E.fit(X, y.tolist(), config=FAST)
    assert m1.metadata["positives"] == m2.metadata["positives"] == m3.metadata["positives"] == int(y.sum())


def test_error_missing_file(tmp_path):
    with pytest.raises(E.EarlyWarningError, match="not found"):
        E.load_table(tmp_path / "nope.csv", "class")


def test_error_missing_target_names_columns(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("alpha,beta,gamma\n1,2,0\n3,4,1\n")
    with pytest.raises(E.EarlyWarningError) as exc:
        E.load_table(f, "bankrupt")
    msg = str(exc.value)
    assert "bankrupt" in msg and "alpha" in msg and "beta" in msg and "gamma" in msg


def test_error_one_class(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("a,b,y\n1,2,0\n3,4,0\n5,6,0\n")
    with pytest.raises(E.EarlyWarningError, match="one class"):
        E.load_table(f, "y")


def test_error_non_numeric_feature(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("name,a,y\nAcme,1,0\nBeta,2,1\nGamma,3,0\n")
    with pytest.raises(E.EarlyWarningError, match=r"non-numeric.*name"):
        E.load_table(f, "y")


def test_error_non_binary_target(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("a,y\n1,0\n2,1\n3,2\n")
    with pytest.raises(E.EarlyWarningError, match="binary"):
        E.load_table(f, "y")


def test_error_unreadable_arff(tmp_path):
    f = tmp_path / "bad.arff"
    f.write_text("@relation x\n@attribute a numeric\n@attribute y {0,1}\n@data\n1,0,5\n")
    with pytest.raises(E.EarlyWarningError, match="values"):
        E.load_table(f, "y")


# ---- persistence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["m.json", "m.json.gz"])
def test_save_load_round_trip(tmp_path, small_model, name):
    model, X, _y = small_model
    path = tmp_path / name
    E.save_model(model, path)
    loaded = E.load_model(path, expected_features=list(X.columns))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.raw_score(X), model.raw_score(X))
    assert loaded.metadata["data_file"] == "synthetic"
    assert loaded.metadata["rows"] == len(X)
    assert {"positives", "oof_auc", "trained_at"} <= set(loaded.metadata)


def test_load_corrupt_model(tmp_path, small_model):
    model, _X, _y = small_model
    path = tmp_path / "m.json"
    E.save_model(model, path)
    path.write_bytes(path.read_bytes()[:5000])  # truncated
    with pytest.raises(E.EarlyWarningError, match="corrupt"):
        E.load_model(path)
    path.write_text(
        json.dumps(
            {
                "format": E.MODEL_FORMAT,
                "feature_names": ["a"],
                "missing_count": False,
                "calibrator": {"method": "none"},
                "boosters": ["garbage"],
            }
        )
    )
    with pytest.raises(E.EarlyWarningError, match="corrupt"):
        E.load_model(path)
    path.write_text('{"hello": 1}')
    with pytest.raises(E.EarlyWarningError, match="not an early-warning model"):
        E.load_model(path)
    with pytest.raises(E.EarlyWarningError, match="not found"):
        E.load_model(tmp_path / "missing.json")


def test_load_model_trained_on_other_columns(tmp_path, small_model):
    model, X, _y = small_model
    path = tmp_path / "m.json"
    E.save_model(model, path)
    with pytest.raises(E.EarlyWarningError, match="other columns"):
        E.load_model(path, expected_features=[*R.RATIO_COLUMNS])
    with pytest.raises(E.EarlyWarningError, match="lacks"):
        model.predict_proba(X.drop(columns=["f3"]))


# ---- explanations ---------------------------------------------------------------------------------------


def test_explanations_sum_to_raw_score(small_model):
    model, X, _y = small_model
    rows = X.head(10)
    contrib = model.contributions(rows)
    np.testing.assert_allclose(contrib.sum(axis=1), model.raw_score(rows), rtol=1e-9, atol=1e-9)
    # The last column is the bias (expected raw score); the features' contributions explain the rest.
    assert contrib.shape == (10, len(model.model_features) + 1)


def test_feature_labels_both_languages():
    assert E.feature_label("X27", "en").startswith("X27 profit on operating activities / financial expenses")
    assert E.feature_label("Attr46", "en") == E.feature_label("X46", "en")  # the Polish file's names
    assert "영업이익 / 금융비용" in E.feature_label("X27", "ko")
    assert E.feature_label("custom_col", "ko") == "custom_col"


# ---- model quality ---------------------------------------------------------------------------------------


def test_reduced_cv_on_polish_file():
    X, y = E.load_table(E.default_data_path(), "class")
    cfg = E.EWSConfig(
        members=3, learning_rate=0.2, max_rounds=150, early_stopping=20, max_bin=63, num_threads=1
    )
    res = E.cross_validate(X, y, repeats=1, folds=5, seed=7, config=cfg, n_jobs=2)
    assert len(res.aucs) == 5 and len(res.briers) == 5
    assert res.mean_auc > 0.93
    assert 0 < res.mean_brier < 0.05


def test_calibration_keeps_or_reduces_brier():
    # over-fitted boosters give over-confident raw scores; Platt/isotonic on out-of-fold scores fixes that
    X, y = synthetic(1200, seed=3)
    cfg = E.EWSConfig(
        members=3, learning_rate=0.3, num_leaves=31, min_child_samples=2, fixed_rounds=60, num_threads=1
    )
    res = E.cross_validate(X, y, repeats=1, folds=3, seed=1, config=cfg, n_jobs=1)
    assert res.mean_brier <= res.mean_brier_uncalibrated + 1e-4
    iso = E.cross_validate(
        X, y, repeats=1, folds=3, seed=1, config=replace(cfg, calibration="isotonic"), n_jobs=1
    )
    assert iso.mean_brier <= iso.mean_brier_uncalibrated + 1e-4


def test_cv_results_do_not_depend_on_n_jobs():
    X, y = synthetic(500, seed=11)
    one = E.cross_validate(X, y, repeats=1, folds=3, seed=3, config=FAST, n_jobs=1)
    two = E.cross_validate(X, y, repeats=1, folds=3, seed=3, config=FAST, n_jobs=2)
    assert one.aucs == two.aucs and one.briers == two.briers


def test_one_booster_per_variant_with_jointly_chosen_rounds(small_model):
    model, X, _y = small_model
    assert len(model.boosters) == len(FAST.variants) == len(model.metadata["trees"])
    for booster, n in zip(model.boosters, model.metadata["trees"], strict=True):
        assert 1 <= n <= FAST.max_rounds and booster.current_iteration() == n
    # the variants really differ (leaves, randomised splits, sampling)
    raws = model.member_raw_scores(X.head(200))
    assert len({tuple(np.round(r, 6)) for r in raws}) == len(model.boosters)
    # explanations stay in the input columns (plus the missing count), whatever the variants
    assert model.contributions(X.head(3)).shape == (3, X.shape[1] + 2)


def test_single_variant_and_fixed_rounds():
    X, y = synthetic(400, seed=2)
    cfg = replace(FAST, variants=(), fixed_rounds=20)
    model = E.fit(X, y, config=cfg)
    assert len(model.boosters) == 1 and model.metadata["trees"] == [20]
    assert model.boosters[0].current_iteration() == 20


def test_loads_files_of_the_earlier_bag(tmp_path, small_model):
    # files written before the variant ensemble have no "calibrate" key: their calibrator maps each member
    model, X, _y = small_model
    path = tmp_path / "old.json"
    E.save_model(model, path)
    payload = json.loads(path.read_text())
    del payload["calibrate"]
    path.write_text(json.dumps(payload))
    old = E.load_model(path)
    assert old.calibrate == "members"
    member = np.vstack([E.apply_calibrator(model.calibrator, r) for r in model.member_raw_scores(X.head(20))])
    np.testing.assert_allclose(old.predict_proba(X.head(20)), member.mean(axis=0))
    payload["calibrate"] = "median"
    path.write_text(json.dumps(payload))
    with pytest.raises(E.EarlyWarningError, match="corrupt"):
        E.load_model(path)


def test_platt_recovers_known_map():
    rng = np.random.default_rng(0)
    raw = rng.normal(size=20000) * 2
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * raw - 1)))).astype(int)
    cal = E.fit_calibrator(raw, y, "platt")
    assert cal["a"] == pytest.approx(0.5, abs=0.05) and cal["b"] == pytest.approx(-1, abs=0.08)


def test_run_evaluate_last_line(small_model, tmp_path):
    X, y = synthetic(600, seed=5)
    f = tmp_path / "s.csv"
    X.assign(target=y).to_csv(f, index=False)
    lines: list[str] = []
    E.run_evaluate(f, "target", repeats=1, out=lines.append, config=FAST, n_jobs=1)
    assert sum(ln.startswith("repeat 1 fold") for ln in lines) == 5
    assert lines[-1].startswith("AUC mean=0.") and len(lines[-1].split("=")[1].split()[0]) == 6
    assert re.fullmatch(r"AUC mean=\d\.\d{4} sd=\d\.\d{4}", lines[-1])
    out = tmp_path / "m.json"
    E.run_train(f, "target", out, cv_repeats=0, config=FAST, out=lines.append)
    assert E.load_model(out, expected_features=list(X.columns)).metadata["data_file"] == "s.csv"


# ---- default model ---------------------------------------------------------------------------------------


def test_default_model_scores_ratio_output():
    model = E.load_model(E.default_model_path())
    assert set(model.feature_names) <= set(R.RATIO_COLUMNS)
    assert model.metadata["data_file"] == "1year.arff"
    statement = {
        "company_id": 1,
        "fiscal_year": 2024,
        "cash": 100, "short_term_securities": 50, "receivables": 200, "inventory": 150,
        "current_assets": 600, "fixed_assets": 400, "total_assets": 1000, "short_term_liabilities": 300,
        "long_term_liabilities": 200, "total_liabilities": 500, "share_capital": 100,
        "retained_earnings": 250, "equity": 500, "sales": 2000, "cost_of_products_sold": 1200,
        "operating_expenses": 1800, "depreciation": 50, "profit_on_sales": 200,
        "profit_on_operating_activities": 180, "financial_expenses": 30, "interest_expense": 20,
        "extraordinary_items": 10, "gross_profit": 160, "net_profit": 120,
    }  # fmt: skip
    distressed = {
        **statement, "company_id": 2, "net_profit": -400, "gross_profit": -380, "retained_earnings": -700,
        "equity": -200, "total_liabilities": 1200, "short_term_liabilities": 1000, "long_term_liabilities": 200,
        "profit_on_operating_activities": -300, "profit_on_sales": -250, "cash": 5,
    }  # fmt: skip
    values = R.compute_ratios(pd.DataFrame([statement, distressed])).values
    X = values[list(R.RATIO_COLUMNS)]
    p = model.predict_proba(X)
    assert p.shape == (2,) and np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
    assert p[1] > p[0]
    contrib = model.contributions(X)
    np.testing.assert_allclose(contrib.sum(axis=1), model.raw_score(X), rtol=1e-9, atol=1e-9)
