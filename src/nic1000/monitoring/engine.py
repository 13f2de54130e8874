"""The inspection's computing part: bulk reads into pandas, vectorised ratios, scoring and rules.

No writes here (`services.inspection_run` writes). Reads are plain `values_list` into DataFrames, one query per
kind of data per chunk, so the cost does not grow with the number of queries.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Q

from nic1000.monitoring import rules as rules_mod
from nic1000.registry.models import CoreTechnology, FinancialStatement, Patent
from nic1000.registry.statement_items import ITEM_NAMES

STATEMENT_COLUMNS = ["company_id", "fiscal_year", *ITEM_NAMES]


# ---------------------------------------------------------------- the model in use


@dataclass
class LoadedModel:
    model: Any
    path: str
    sha256: str
    features: list[str]


_lock = threading.Lock()
_cache: dict[str, LoadedModel] = {}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ratio_feature_names() -> list[str]:
    from nic1000.algorithms import ratios

    return list(ratios.RATIO_COLUMNS)


def model_features(model: Any) -> list[str]:
    for attr in ("features", "feature_names", "feature_names_"):
        value = getattr(model, attr, None)
        if value:
            return list(value)
    booster = getattr(model, "booster_", None) or getattr(model, "booster", None)
    if booster is not None and hasattr(booster, "feature_name"):
        return list(booster.feature_name())
    return ratio_feature_names()


def load_checked(path: str | Path) -> LoadedModel:
    """Load a model file through the pure module, refusing one that is corrupt or trained on other columns.

    Raises `early_warning.EarlyWarningError` with a clear message; nothing is cached then."""
    from nic1000.algorithms import early_warning

    path = str(path)
    sha = file_sha256(path)
    with _lock:
        hit = _cache.get(sha)
    if hit is not None:
        return hit
    model = early_warning.load_model(path)
    # The model may use any subset of the ratios (the default leaves out scale-dependent ones); a column the
    # ratio engine cannot provide means it was trained on other data: refused.
    available = set(ratio_feature_names())
    unknown = [c for c in model_features(model) if c not in available]
    if unknown:
        raise early_warning.EarlyWarningError(
            f"model file {path} was trained on columns the ratio engine does not compute: {unknown[:10]}"
        )
    loaded = LoadedModel(model=model, path=path, sha256=sha, features=model_features(model))
    with _lock:
        _cache[sha] = loaded
    return loaded


# ---------------------------------------------------------------- reads


@dataclass
class ChunkData:
    statements: pd.DataFrame
    technology: pd.DataFrame  # company_id -> max_trl, cited_patents


def read_chunk(company_ids: list[int]) -> ChunkData:
    """Statements, best TRL and cited registered patents of the given companies (three queries)."""
    if not company_ids:
        empty = pd.DataFrame(columns=STATEMENT_COLUMNS)
        return ChunkData(empty, pd.DataFrame(columns=["company_id", "max_trl", "cited_patents"]))
    lo, hi = min(company_ids), max(company_ids)
    wanted = pd.Index(company_ids)
    rows = FinancialStatement.objects.filter(company_id__gte=lo, company_id__lte=hi).values_list(
        *STATEMENT_COLUMNS
    )
    st = pd.DataFrame.from_records(list(rows.iterator(chunk_size=20000)), columns=STATEMENT_COLUMNS)
    st = st[st["company_id"].isin(wanted)]
    trl = pd.DataFrame.from_records(
        list(
            CoreTechnology.objects.filter(company_id__gte=lo, company_id__lte=hi)
            .values("company_id")
            .annotate(max_trl=Max("trl"))
            .values_list("company_id", "max_trl")
            .order_by()
        ),
        columns=["company_id", "max_trl"],
    )
    cfg = rules_mod.current_config()
    pat = pd.DataFrame.from_records(
        list(
            Patent.objects.filter(
                company_id__gte=lo,
                company_id__lte=hi,
                status=Patent.Status.REGISTERED,
                forward_citations__gte=1,
            )
            .values("company_id")
            .annotate(n=Count("id", filter=Q(forward_citations__gte=max(cfg.strong_patent_citations_min, 1))))
            .values_list("company_id", "n")
            .order_by()
        ),
        columns=["company_id", "cited_patents"],
    )
    tech = pd.DataFrame({"company_id": company_ids}).merge(trl, how="left").merge(pat, how="left")
    return ChunkData(statements=st, technology=tech)


# ---------------------------------------------------------------- compute


@dataclass
class Timing:
    read: float = 0.0
    ratios: float = 0.0
    score: float = 0.0
    explain: float = 0.0
    write: float = 0.0
    rows_scored: int = 0
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class ChunkResult:
    frame: pd.DataFrame  # one row per company: company_id, fiscal_year, probability, level, ...
    factors: list[list[dict[str, Any]]]
    fired: list[list[str]]
    reasons: list[dict[str, str]]


def _latest(values: pd.DataFrame) -> pd.DataFrame:
    """The row of each company's latest fiscal year."""
    if values.empty:
        return values
    idx = values.groupby("company_id")["fiscal_year"].idxmax()
    return values.loc[idx.to_numpy()]


def compute_ratios(statements: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, reasons) at each company's latest fiscal year, vectorised over all companies at once.
    `reasons` has the same rows and columns: None where computed, a short reason where NaN."""
    from nic1000.algorithms import ratios

    result = ratios.compute_ratios(statements.reset_index(drop=True))
    values, reasons = result.values, result.reasons
    if values.empty:
        return values, reasons
    idx = values.groupby("company_id")["fiscal_year"].idxmax().to_numpy()
    return values.loc[idx].reset_index(drop=True), reasons.loc[idx].reset_index(drop=True)


def score(model: LoadedModel, features: pd.DataFrame) -> np.ndarray:
    """Calibrated distress probabilities (no explanations)."""
    if features.empty:
        return np.zeros(0)
    return np.asarray(model.model.predict_proba(features[model.features]), dtype=float)


def _num(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def explain(
    model: LoadedModel, features: pd.DataFrame, top: int = 5
) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """Probabilities and, per row, the ratios that push the risk up or down most (LightGBM contributions),
    in words in English and Korean. The probability comes from the same contributions (they sum to the raw
    score), so scoring and explaining cost one pass."""
    from nic1000.algorithms import early_warning

    if features.empty:
        return np.zeros(0), []
    exps = early_warning.explain(model.model, features[model.features], top=top)
    labels: dict[tuple[str, str], str] = {}

    def label(feature: str, lang: str) -> str:
        key = (feature, lang)
        if key not in labels:
            labels[key] = early_warning.feature_label(feature, lang)
        return labels[key]

    probs = np.fromiter((e.probability for e in exps), dtype=float, count=len(exps))
    out: list[list[dict[str, Any]]] = []
    n_up = max(1, top - 2)
    for e in exps:
        row = []
        for eff, up in [
            *((x, True) for x in e.up[:n_up]),
            *((x, False) for x in e.down[: top - min(len(e.up), n_up)]),
        ]:
            val = _num(eff.value)
            row.append(
                {
                    "feature": eff.feature,
                    "value": None if not np.isfinite(eff.value) else round(float(eff.value), 6),
                    "contribution": round(float(eff.contribution), 4),
                    "direction": "up" if up else "down",
                    "en": f"{label(eff.feature, 'en')} = {val} {'raises' if up else 'lowers'} the risk",
                    "ko": f"{label(eff.feature, 'ko')} = {val}: 위험을 {'높임' if up else '낮춤'}",
                }
            )
        out.append(row)
    return probs, out


def compute_chunk(
    *,
    company_ids: list[int],
    data: ChunkData,
    model: LoadedModel,
    expected_fiscal_year: int,
    cfg: rules_mod.RuleConfig,
    timing: Timing,
) -> ChunkResult:
    """Ratios, probability, explanation and rules for every company of the chunk, vectorised."""
    import time

    t0 = time.perf_counter()
    base = pd.DataFrame({"company_id": pd.Series(company_ids, dtype="int64")})
    st = data.statements
    if len(st):
        values, reasons = compute_ratios(st)
        # Previous year's sales for the sales-collapse rule.
        prev = st[["company_id", "fiscal_year", "sales"]].rename(columns={"sales": "prev_sales"})
        prev = prev.assign(fiscal_year=prev["fiscal_year"] + 1)
        latest_items = _latest(st)
        latest_items = latest_items.merge(prev, on=["company_id", "fiscal_year"], how="left")
        keep = ["company_id", "fiscal_year", "equity", "share_capital", "net_profit", "sales", "prev_sales"]
        latest_items = latest_items[keep]
        ratio_cols = [c for c in values.columns if c not in ("company_id", "fiscal_year")]
        frame = base.merge(latest_items, on="company_id", how="left").merge(
            values[["company_id", *ratio_cols]], on="company_id", how="left"
        )
        reason_rows = _reason_dicts(values, reasons, frame)
    else:
        frame = base.assign(fiscal_year=np.nan)
        reason_rows = [{} for _ in range(len(base))]
    timing.ratios += time.perf_counter() - t0

    t0 = time.perf_counter()
    frame["probability"] = np.nan
    has = frame["fiscal_year"].notna().to_numpy()
    factors: list[list[dict[str, Any]]] = [[] for _ in range(len(frame))]
    feats = frame.loc[has]
    if has.any():
        for col in model.features:
            if col not in feats:
                feats = feats.assign(**{col: np.nan})
        feats = feats[model.features].astype("float64")
        frame.loc[has, "probability"] = score(model, feats)
        timing.rows_scored += int(has.sum())
    timing.score += time.perf_counter() - t0

    t0 = time.perf_counter()
    frame["expected_fiscal_year"] = expected_fiscal_year
    frame = frame.merge(data.technology, on="company_id", how="left")
    # Names the rules use (rules.py): debt ratio = X2 (total liabilities / total assets), runway in months.
    frame["debt_ratio"] = frame.get("X2", np.nan)
    frame["runway_months"] = frame.get("cash_runway_months", np.nan)
    outcome = rules_mod.evaluate(frame, cfg)
    frame["level"] = outcome.level
    frame["model_level"] = outcome.model_level
    timing.extra["rules"] = timing.extra.get("rules", 0.0) + time.perf_counter() - t0

    # Explanations for the companies the group will look at (level >= cfg.explain_level).
    t0 = time.perf_counter()
    if has.any():
        rank = frame["level"].map(rules_mod.LEVEL_RANK).to_numpy()
        want = has & (rank >= rules_mod.LEVEL_RANK[cfg.explain_level])
        if want.any():
            rows = np.flatnonzero(want)
            sub = feats.loc[frame.index[rows]] if len(feats) else feats
            _probs, words = explain(model, sub, top=5)
            for i, f in zip(rows, words, strict=True):
                factors[i] = f
    timing.explain += time.perf_counter() - t0
    return ChunkResult(frame=frame, factors=factors, fired=outcome.fired, reasons=reason_rows)


def _reason_dicts(values: pd.DataFrame, reasons: pd.DataFrame, frame: pd.DataFrame) -> list[dict[str, str]]:
    """Per company of `frame`, {ratio: reason} for the ratios that could not be computed."""
    out: list[dict[str, str]] = [{} for _ in range(len(frame))]
    if reasons is None or reasons.empty:
        return out
    cols = [c for c in reasons.columns if c not in ("company_id", "fiscal_year")]
    arr = reasons[cols].to_numpy(dtype=object)
    rows, cs = np.nonzero(pd.notna(arr))
    if not len(rows):
        return out
    pos = {cid: i for i, cid in enumerate(frame["company_id"].tolist())}
    company_of = values["company_id"].tolist()
    for r, c in zip(rows.tolist(), cs.tolist(), strict=True):
        i = pos.get(company_of[r])
        if i is not None:
            out[i][cols[c]] = str(arr[r, c])
    return out


def explain_company(*, company_id: int, model: LoadedModel, top: int = 5) -> list[dict[str, Any]]:
    """The explanation of one company's latest statements, computed on demand (company page)."""
    data = read_chunk([company_id])
    if data.statements.empty:
        return []
    values, _reasons = compute_ratios(data.statements)
    feats = values.copy()
    for col in model.features:
        if col not in feats:
            feats[col] = np.nan
    _p, words = explain(model, feats[model.features].astype("float64"), top=top)
    return words[0] if words else []
