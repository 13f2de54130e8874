"""The inspection's computing part: bulk reads into pandas, vectorised ratios, scoring and rules.

No writes here (`services.inspections` writes). Reads are plain `values_list` queries run through the cursor
into DataFrames, one query per kind of data per chunk. The model's cost (trees × rows) is paid once per distinct
feature row: scoring for every company, SHAP contributions only for those at the explanation level.
"""

from __future__ import annotations

import hashlib
import threading
import time
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


def _fetch(qs: Any) -> list[tuple[Any, ...]]:
    """Rows of a values_list queryset through the cursor: the ORM's per-row iterator costs more than the
    query for hundreds of thousands of rows (plain integer columns need no conversion)."""
    from django.db import connections

    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def read_statements(company_ids: list[int]) -> pd.DataFrame:
    """Every statement of the given companies (one query over their id range)."""
    if not company_ids:
        return pd.DataFrame(columns=STATEMENT_COLUMNS)
    lo, hi = min(company_ids), max(company_ids)
    rows = FinancialStatement.objects.filter(company_id__gte=lo, company_id__lte=hi).values_list(
        *STATEMENT_COLUMNS
    )
    st = pd.DataFrame.from_records(_fetch(rows.order_by()), columns=STATEMENT_COLUMNS)
    return st[st["company_id"].isin(pd.Index(company_ids))]


def read_chunk(company_ids: list[int]) -> ChunkData:
    """Statements, best TRL and cited registered patents of the given companies (three queries)."""
    if not company_ids:
        empty = pd.DataFrame(columns=STATEMENT_COLUMNS)
        return ChunkData(empty, pd.DataFrame(columns=["company_id", "max_trl", "cited_patents"]))
    lo, hi = min(company_ids), max(company_ids)
    st = read_statements(company_ids)
    tech = pd.DataFrame({"company_id": company_ids}).merge(_best_trl(lo, hi), how="left")
    tech = tech.merge(_cited_patents(lo, hi, rules_mod.current_config()), how="left")
    return ChunkData(statements=st, technology=tech)


def _best_trl(lo: int, hi: int) -> pd.DataFrame:
    """Each company's highest technology readiness level over its core technologies."""
    rows = (
        CoreTechnology.objects.filter(company_id__gte=lo, company_id__lte=hi)
        .values("company_id")
        .annotate(max_trl=Max("trl"))
        .values_list("company_id", "max_trl")
        .order_by()
    )
    return pd.DataFrame.from_records(_fetch(rows), columns=["company_id", "max_trl"])


def _cited_patents(lo: int, hi: int, cfg: rules_mod.RuleConfig) -> pd.DataFrame:
    """Each company's registered patents cited at least `strong_patent_citations_min` times."""
    strong = Q(forward_citations__gte=max(cfg.strong_patent_citations_min, 1))
    rows = (
        Patent.objects.filter(
            company_id__gte=lo, company_id__lte=hi, status=Patent.Status.REGISTERED, forward_citations__gte=1
        )
        .values("company_id")
        .annotate(n=Count("id", filter=strong))
        .values_list("company_id", "n")
        .order_by()
    )
    return pd.DataFrame.from_records(_fetch(rows), columns=["company_id", "cited_patents"])


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


def _unique_rows(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, index of each row's distinct row). Identical feature rows get identical scores and
    explanations, so each is computed once. Exact: rows are compared bit for bit (NaN equal to NaN, -0.0 to
    0.0), never by a hash."""
    if M.shape[0] <= 1:
        return M, np.zeros(M.shape[0], dtype=np.intp)
    canon = np.ascontiguousarray(np.where(np.isnan(M), np.nan, M) + 0.0)
    keys = canon.view(np.dtype((np.void, canon.dtype.itemsize * canon.shape[1]))).ravel()
    _keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return M[first], np.asarray(inverse, dtype=np.intp).ravel()


def _base(model: LoadedModel, features: pd.DataFrame) -> np.ndarray:
    M = features[model.features].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isinf(M), np.nan, M)


def score(model: LoadedModel, features: pd.DataFrame) -> np.ndarray:
    """Calibrated distress probabilities (no explanations), each distinct feature row scored once."""
    if features.empty:
        return np.zeros(0)
    uniq, inverse = _unique_rows(_base(model, features))
    probs = np.asarray(model.model.predict_proba(pd.DataFrame(uniq, columns=model.features)), dtype=float)
    scored: np.ndarray = probs[inverse]
    return scored


def _num(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


_labels: dict[tuple[str, str], str] = {}


def _label(feature: str, lang: str) -> str:
    key = (feature, lang)
    if key not in _labels:
        from nic1000.algorithms import early_warning

        _labels[key] = early_warning.feature_label(feature, lang)
    return _labels[key]


def _factor(feature: str, value: float, contribution: float, up: bool) -> dict[str, Any]:
    val = _num(value)
    return {
        "feature": feature,
        "value": None if not np.isfinite(value) else round(float(value), 6),
        "contribution": round(float(contribution), 4),
        "direction": "up" if up else "down",
        "en": f"{_label(feature, 'en')} = {val} {'raises' if up else 'lowers'} the risk",
        "ko": f"{_label(feature, 'ko')} = {val}: 위험을 {'높임' if up else '낮춤'}",
    }


def explain(model: LoadedModel, features: pd.DataFrame, top: int = 5) -> list[list[dict[str, Any]]]:
    """Per row, the ratios that push the risk up or down most (LightGBM SHAP contributions, averaged over the
    bag), in words in English and Korean: up to `top` - 2 raising it, the rest lowering it.

    Contributions are computed once per distinct feature row, in one call per booster, and the factors are
    picked with array sorts (the costly part is LightGBM's TreeSHAP, linear in rows and trees)."""
    if features.empty:
        return []
    uniq, inverse = _unique_rows(_base(model, features))
    frame = pd.DataFrame(uniq, columns=model.features)
    M = np.asarray(model.model.matrix(frame), dtype=float)
    C = np.asarray(model.model.contributions(frame), dtype=float)[:, : M.shape[1]]
    names = list(model.model.model_features)
    k = min(top, C.shape[1])
    up_order = np.argsort(-C, axis=1, kind="stable")[:, :k]
    down_order = np.argsort(C, axis=1, kind="stable")[:, :k]
    n_up = max(1, top - 2)
    words: list[list[dict[str, Any]]] = []
    for r in range(C.shape[0]):
        c, m = C[r], M[r]
        ups = [j for j in up_order[r].tolist() if c[j] > 0]
        downs = [j for j in down_order[r].tolist() if c[j] < 0]
        row = [_factor(names[j], m[j], c[j], True) for j in ups[:n_up]]
        row += [_factor(names[j], m[j], c[j], False) for j in downs[: top - min(len(ups), n_up)]]
        words.append(row)
    return [words[i] for i in inverse.tolist()]


@dataclass
class Prepared:
    """A chunk between its ratios and its rules: the frame (one row per company) and the model's input."""

    company_ids: list[int]
    frame: pd.DataFrame
    has: np.ndarray  # companies with statements (scored)
    features: pd.DataFrame
    technology: pd.DataFrame
    reasons: list[dict[str, str]]


def prepare_chunk(*, company_ids: list[int], data: ChunkData, model: LoadedModel, timing: Timing) -> Prepared:
    """Ratios at each company's latest fiscal year, the items the rules read, and the model's input."""
    t0 = time.perf_counter()
    base = pd.DataFrame({"company_id": pd.Series(company_ids, dtype="int64")})
    if len(data.statements):
        frame, reason_rows = _with_ratios(base, data.statements)
    else:
        frame = base.assign(fiscal_year=np.nan)
        reason_rows = [{} for _ in range(len(base))]
    has = frame["fiscal_year"].notna().to_numpy()
    features = model_frame(model, frame.loc[has])
    timing.ratios += time.perf_counter() - t0
    return Prepared(company_ids, frame, has, features, data.technology, reason_rows)


def _with_ratios(base: pd.DataFrame, st: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """One row per company of `base`: the items of its latest statement the rules read (with the previous
    year's sales, for the sales-collapse rule) and its ratios; and per company the ratios' missing reasons."""
    values, reasons = compute_ratios(st)
    prev = st[["company_id", "fiscal_year", "sales"]].rename(columns={"sales": "prev_sales"})
    prev = prev.assign(fiscal_year=prev["fiscal_year"] + 1)
    latest_items = _latest(st).merge(prev, on=["company_id", "fiscal_year"], how="left")
    keep = ["company_id", "fiscal_year", "equity", "share_capital", "net_profit", "sales", "prev_sales"]
    ratio_cols = [c for c in values.columns if c not in ("company_id", "fiscal_year")]
    frame = base.merge(latest_items[keep], on="company_id", how="left").merge(
        values[["company_id", *ratio_cols]], on="company_id", how="left"
    )
    return frame, _reason_dicts(values, reasons, frame)


def score_prepared(model: LoadedModel, prepared: Prepared) -> tuple[np.ndarray, float]:
    """(probabilities of the scored companies, seconds). No database access: may run in another thread while
    the previous chunk is written (LightGBM releases the GIL)."""
    t0 = time.perf_counter()
    probs = score(model, prepared.features) if len(prepared.features) else np.zeros(0)
    return probs, time.perf_counter() - t0


def finish_chunk(
    *,
    prepared: Prepared,
    probabilities: np.ndarray,
    expected_fiscal_year: int,
    cfg: rules_mod.RuleConfig,
    timing: Timing,
) -> ChunkResult:
    """The rules over the chunk, given its probabilities."""
    t0 = time.perf_counter()
    frame = prepared.frame.copy()
    frame["probability"] = np.nan
    if prepared.has.any():
        frame.loc[prepared.has, "probability"] = probabilities
        timing.rows_scored += int(prepared.has.sum())
    frame["expected_fiscal_year"] = expected_fiscal_year
    frame = frame.merge(prepared.technology, on="company_id", how="left")
    # Names the rules use (rules.py): debt ratio = X2 (total liabilities / total assets), runway in months.
    frame["debt_ratio"] = frame.get("X2", np.nan)
    frame["runway_months"] = frame.get("cash_runway_months", np.nan)
    outcome = rules_mod.evaluate(frame, cfg)
    frame["level"] = outcome.level
    frame["model_level"] = outcome.model_level
    timing.extra["rules"] = timing.extra.get("rules", 0.0) + time.perf_counter() - t0
    return ChunkResult(frame=frame, fired=outcome.fired, reasons=prepared.reasons)


def model_frame(model: LoadedModel, frame: pd.DataFrame) -> pd.DataFrame:
    """The model's columns of `frame` as floats (a ratio the frame lacks is NaN)."""
    missing = {col: np.nan for col in model.features if col not in frame}
    if missing:
        frame = frame.assign(**missing)
    return frame[model.features].astype("float64")


def explain_latest(
    *, statements: pd.DataFrame, model: LoadedModel, top: int = 5
) -> tuple[pd.DataFrame, list[list[dict[str, Any]]]]:
    """For each company of `statements`: (company_id, fiscal_year, probability) at its latest fiscal year and
    the explanation of that probability. The inspection's explanation phase checks the probability against the
    stored one, so an explanation is never stored for figures that changed since."""
    if statements.empty:
        return pd.DataFrame(columns=["company_id", "fiscal_year", "probability"]), []
    values, _reasons = compute_ratios(statements)
    feats = model_frame(model, values)
    out = values[["company_id", "fiscal_year"]].assign(probability=score(model, feats))
    return out.reset_index(drop=True), explain(model, feats, top=top)


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
    _scores, words = explain_latest(statements=data.statements, model=model, top=top)
    return words[0] if words else []
