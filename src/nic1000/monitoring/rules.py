"""Alert rules as configuration: thresholds and rules are data, evaluated for many companies at once.

The programme exists for technology companies with low sales and high debt, so:

* **going-concern signals** (negative equity, capital impairment, a missed statement submission, a sharp sales
  collapse) always raise the level they name;
* **financial-stress signals** (the early-warning probability, high debt, losses) raise a level too, but a
  **mitigation** caps them at `watch` when the company has cash runway (or is not burning cash) *and* strong
  technology (a core technology at TRL ≥ 7, or registered patents with forward citations);
* the result records every rule that fired, so the explanation says which rule applied.

Thresholds can be overridden with the `NIC1000_MONITORING_RULES` setting (a dict of `RuleConfig` fields).
Evaluating rules needs no Django settings (`current_config()` reads the setting lazily); a rule's words are an
English msgid, translated when `describe` shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext, gettext_noop

LEVELS = ("normal", "watch", "warning", "critical")
LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}


@dataclass(frozen=True)
class RuleConfig:
    watch_probability: float = 0.10
    warning_probability: float = 0.30
    critical_probability: float = 0.60
    high_debt_ratio: float = 0.85  # total liabilities / total assets
    runway_months_min: float = 12.0
    strong_trl_min: int = 7
    strong_patent_citations_min: int = 1  # registered patents with at least this many forward citations
    sales_collapse_share: float = 0.5  # sales fell by more than this share year on year
    # Statements for fiscal year Y are due by the end of this month of Y+1 (corporate tax filing is due by the end
    # of March); a missing year counts as a signal only after the grace months that follow.
    statement_due_month: int = 4
    statement_grace_months: int = 0
    # A case is opened at this level or above.
    case_level: str = "warning"
    case_due_days: int = 14
    # Explanations (LightGBM per-feature contributions, costly) are stored by the inspection's explanation phase
    # for companies at this level or above; for the others the company page computes them on demand.
    explain_level: str = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str  # "going_concern" | "stress" | "mitigation"
    level: str  # level raised (mitigation: the cap)
    text: str  # English msgid, translated when described
    when: Callable[[pd.DataFrame, RuleConfig], pd.Series]


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df:
        return pd.to_numeric(df[name], errors="coerce").astype("float64")
    return pd.Series(np.nan, index=df.index, dtype="float64")


def _has_statement(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    return _col(df, "fiscal_year").notna()


def _negative_equity(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    return _col(df, "equity") < 0


def _capital_impairment(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    eq, cap = _col(df, "equity"), _col(df, "share_capital")
    return (eq >= 0) & (eq < cap)


def _missed_submission(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    fy, due = _col(df, "fiscal_year"), _col(df, "expected_fiscal_year")
    return due.notna() & (fy.isna() | (fy < due))


def _sales_collapse(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    s, prev = _col(df, "sales"), _col(df, "prev_sales")
    return (prev > 0) & (s < prev * (1 - cfg.sales_collapse_share))


def _high_debt(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    return _col(df, "debt_ratio") > cfg.high_debt_ratio


def _net_loss(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    return _col(df, "net_profit") < 0


def _prob(level: str) -> Callable[[pd.DataFrame, RuleConfig], pd.Series]:
    def when(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
        p = _col(df, "probability")
        lo = getattr(cfg, f"{level}_probability")
        hi = {"watch": cfg.warning_probability, "warning": cfg.critical_probability}.get(level, np.inf)
        return (p >= lo) & (p < hi)

    return when


def _runway_and_technology(df: pd.DataFrame, cfg: RuleConfig) -> pd.Series:
    runway = _col(df, "runway_months")
    burning = (
        df["burning_cash"].astype("boolean") if "burning_cash" in df else pd.Series(pd.NA, index=df.index)
    )
    has_runway = (runway >= cfg.runway_months_min) | (burning == False)  # noqa: E712 - nullable boolean
    has_runway = has_runway.fillna(False).astype(bool)
    strong = (_col(df, "max_trl") >= cfg.strong_trl_min) | (
        _col(df, "cited_patents") >= cfg.strong_patent_citations_min
    )
    return has_runway & strong


RULES: tuple[Rule, ...] = (
    Rule(
        "negative_equity", "going_concern", "critical",
        gettext_noop("Negative equity (full capital impairment): liabilities exceed assets"),
        _negative_equity,
    ),
    Rule(
        "capital_impairment", "going_concern", "warning",
        gettext_noop("Capital impairment: equity is below share capital"),
        _capital_impairment,
    ),
    Rule(
        "missed_submission", "going_concern", "warning",
        gettext_noop("Statements for the last fiscal year were not submitted"),
        _missed_submission,
    ),
    Rule(
        "sales_collapse", "going_concern", "warning",
        gettext_noop("Sharp sales collapse year on year"),
        _sales_collapse,
    ),
    Rule(
        "model_critical", "stress", "critical",
        gettext_noop("Early-warning probability at the critical threshold"),
        _prob("critical"),
    ),
    Rule(
        "model_warning", "stress", "warning",
        gettext_noop("Early-warning probability at the warning threshold"),
        _prob("warning"),
    ),
    Rule(
        "model_watch", "stress", "watch",
        gettext_noop("Early-warning probability at the watch threshold"),
        _prob("watch"),
    ),
    Rule(
        "high_debt", "stress", "warning",
        gettext_noop("High debt: liabilities are a large share of assets"),
        _high_debt,
    ),
    Rule("net_loss", "stress", "watch", gettext_noop("Net loss in the year"), _net_loss),
    Rule(
        "runway_and_technology", "mitigation", "watch",
        gettext_noop("Cash runway and strong technology: high debt or losses alone do not raise a warning"),
        _runway_and_technology,
    ),
)  # fmt: skip
RULES_BY_CODE = {r.code: r for r in RULES}


def current_config() -> RuleConfig:
    """The defaults, overridden by the `NIC1000_MONITORING_RULES` setting when Django is configured."""
    try:
        from django.conf import settings

        overrides: dict[str, Any] = dict(settings.NIC1000_MONITORING_RULES or {})
    except Exception:  # pragma: no cover - outside Django
        overrides = {}
    known = {f.name for f in fields(RuleConfig)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"NIC1000_MONITORING_RULES: unknown keys {sorted(unknown)}")
    return replace(RuleConfig(), **overrides)


@dataclass
class RuleOutcome:
    level: np.ndarray  # str per row
    model_level: np.ndarray  # level from the probability alone
    fired: list[list[str]]  # rule codes per row; a mitigation is listed when it changed the level


def _max_level(current: np.ndarray, mask: np.ndarray, level: str) -> np.ndarray:
    rank = LEVEL_RANK[level]
    return np.where(mask & (current < rank), rank, current)


def evaluate(df: pd.DataFrame, cfg: RuleConfig | None = None) -> RuleOutcome:
    """Evaluate every rule over the frame (one row per company). Never raises on odd values: NaN never fires."""
    cfg = cfg or current_config()
    n = len(df)
    masks = {r.code: r.when(df, cfg).fillna(False).to_numpy(dtype=bool) for r in RULES}
    going = np.zeros(n, dtype=int)
    stress = np.zeros(n, dtype=int)
    model = np.zeros(n, dtype=int)
    n_going = np.zeros(n, dtype=int)
    for r in RULES:
        m = masks[r.code]
        if r.kind == "going_concern":
            going = _max_level(going, m, r.level)
            n_going += m
        elif r.kind == "stress":
            stress = _max_level(stress, m, r.level)
            if r.code.startswith("model_"):
                model = _max_level(model, m, r.level)
    # Two going-concern signals together are critical.
    going = np.where(n_going >= 2, LEVEL_RANK["critical"], going)
    mitigated = np.zeros(n, dtype=bool)
    for r in RULES:
        if r.kind == "mitigation":
            cap = LEVEL_RANK[r.level]
            applies = masks[r.code] & (stress > cap)
            stress = np.where(applies, cap, stress)
            mitigated |= applies
            masks[r.code] = applies
    level = np.maximum(going, stress)
    codes = [[] for _ in range(n)]  # type: list[list[str]]
    for r in RULES:
        for i in np.flatnonzero(masks[r.code]):
            codes[i].append(r.code)
    names = np.array(LEVELS, dtype=object)
    return RuleOutcome(level=names[level], model_level=names[model], fired=codes)


def describe(codes: list[str]) -> list[dict[str, str]]:
    """Words for stored rule codes in the active language (unknown codes shown as they are)."""
    out = []
    for code in codes:
        r = RULES_BY_CODE.get(code)
        out.append(
            {
                "code": code,
                "kind": r.kind if r else "",
                "level": r.level if r else "",
                "text": gettext(r.text) if r else code,
            }
        )
    return out
