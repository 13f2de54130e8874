"""The evidence an evaluator sees beside a company's file, computed from registry facts (pure: no Django).

* Patent indicators normalised within their cohort: the patent's technology field (its first IPC class mapped to
  one of WIPO's 35 fields by the IPC–Technology concordance) and its filing year. Forward citations, family size,
  claims and grant lag become mid-rank percentiles within the cohort (the share of the cohort below, plus half
  the share equal); a cohort smaller than ``MIN_COHORT`` is said to be too small rather than compared (OECD
  Patent Statistics Manual, 2009; Squicciarini, Dernis, Criscuolo, "Measuring patent quality", OECD 2013).
* TRL with its evidence: the highest level of a published ladder of registry facts the company meets, shown
  step by step beside the level the company states.
* Megatrend tags from a maintained taxonomy (``data/evidence/megatrends.json``), each with the KSIC code or
  keyword that led to it, and the five-year market growth of each tag from ``market_growth.csv`` with its source.

Data files and their sources: ``nic1000/data/evidence/SOURCE.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "evidence"
MIN_COHORT = 10  # fewer patents than this in (field, filing year): no percentile, "too small a cohort"
INDICATORS = ("forward_citations", "family_size", "claims", "grant_lag_days")

# ------------------------------------------------------------------------------------------ technology fields


@dataclass(frozen=True)
class TechField:
    number: int
    sector_en: str
    name_en: str
    name_ko: str


@cache
def wipo_fields() -> dict[int, TechField]:
    with (DATA_DIR / "wipo_fields.csv").open(encoding="utf-8") as f:
        return {
            int(r["field"]): TechField(int(r["field"]), r["sector_en"], r["name_en"], r["name_ko"])
            for r in csv.DictReader(f)
        }


@cache
def ipc_concordance() -> dict[str, int]:
    """IPC subclass ("H01L") or subclass + main group ("G01N33") → WIPO field number."""
    with (DATA_DIR / "wipo_ipc_technology.csv").open(encoding="utf-8") as f:
        return {r["ipc"]: int(r["field"]) for r in csv.DictReader(f)}


_IPC_RE = re.compile(r"^\s*([A-HY]\d{2}[A-Z])\s*0*(\d{1,4})?")


def tech_field(ipc_classes: str, concordance: dict[str, int] | None = None) -> int | None:
    """The WIPO field of a patent's first IPC class ("H01L 21/66; G06F 30/39" → 8), None if it has none or the
    concordance has no row for it."""
    head = ipc_classes.partition("/")[0]  # "H01L 21" (a registry repeats these: cached)
    return _field_of(head) if concordance is None else _lookup(head, concordance)


def _lookup(head: str, table: dict[str, int]) -> int | None:
    first = head.split(";", 1)[0].split(",", 1)[0]
    m = _IPC_RE.match(first.upper())
    if m is None:
        return None
    subclass, group = m[1], m[2]
    if group is not None and f"{subclass}{int(group)}" in table:
        return table[f"{subclass}{int(group)}"]
    return table.get(subclass)


@lru_cache(maxsize=65536)
def _field_of(head: str) -> int | None:
    """The shipped concordance's field of the classes up to the first "/"."""
    return _lookup(head, ipc_concordance())


def field_subclasses(fields: Iterable[int]) -> set[str]:
    """The IPC subclasses whose classes may fall in these fields (to narrow a query before `tech_field`)."""
    wanted = set(fields)
    return {code[:4] for code, f in ipc_concordance().items() if f in wanted}


# ------------------------------------------------------------------------------------------ cohort percentiles


@dataclass(frozen=True)
class PatentFacts:
    """What the percentiles need about one patent."""

    ipc_classes: str
    filed_on: dt.date
    granted_on: dt.date | None
    forward_citations: int
    family_size: int
    claims: int

    @property
    def grant_lag_days(self) -> int | None:
        return (self.granted_on - self.filed_on).days if self.granted_on else None


@dataclass
class PatentStanding:
    """One patent against its cohort: its values, the cohort's size and the percentiles (None where the cohort is
    too small, or, for the grant lag, the patent or the cohort has no grant)."""

    field_number: int | None  # the WIPO field, None when unclassified
    year: int
    cohort_size: int
    values: dict[str, int | None]
    percentiles: dict[str, float | None]
    too_small: bool
    medians: dict[str, float | None] = field(default_factory=dict)


def _midrank(sorted_values: np.ndarray, x: float) -> float:
    below = np.searchsorted(sorted_values, x, side="left")
    upto = np.searchsorted(sorted_values, x, side="right")
    return float(100.0 * (below + 0.5 * (upto - below)) / len(sorted_values))


def cohort_percentiles(
    patents: Sequence[PatentFacts],
    population: Iterable[PatentFacts],
    *,
    min_cohort: int = MIN_COHORT,
    concordance: dict[str, int] | None = None,
) -> list[PatentStanding]:
    """Each of ``patents`` against the patents of ``population`` (which should include them) in the same
    (technology field, filing year). Patents with no field are compared with the unclassified of their year."""
    keys = [(tech_field(p.ipc_classes, concordance), p.filed_on.year) for p in patents]
    cohorts: dict[tuple[int | None, int], dict[str, list[int]]] = {
        key: {name: [] for name in INDICATORS} for key in keys
    }
    for p in population:
        bucket = cohorts.get((tech_field(p.ipc_classes, concordance), p.filed_on.year))
        if bucket is None:
            continue
        bucket["forward_citations"].append(p.forward_citations)
        bucket["family_size"].append(p.family_size)
        bucket["claims"].append(p.claims)
        if p.grant_lag_days is not None:
            bucket["grant_lag_days"].append(p.grant_lag_days)
    arrays = {
        key: {name: np.sort(np.asarray(v, dtype=float)) for name, v in bucket.items()}
        for key, bucket in cohorts.items()
    }
    out = []
    for p, key in zip(patents, keys, strict=True):
        cohort = arrays[key]
        size = len(cohort["forward_citations"])
        values: dict[str, int | None] = {
            "forward_citations": p.forward_citations,
            "family_size": p.family_size,
            "claims": p.claims,
            "grant_lag_days": p.grant_lag_days,
        }
        too_small = size < min_cohort
        pct: dict[str, float | None] = {}
        med: dict[str, float | None] = {}
        for name in INDICATORS:
            arr, v = cohort[name], values[name]
            usable = not too_small and v is not None and len(arr) >= min_cohort
            pct[name] = _midrank(arr, v) if usable and v is not None else None
            med[name] = float(np.median(arr)) if usable else None
        out.append(PatentStanding(key[0], key[1], size, values, pct, too_small, med))
    return out


# ------------------------------------------------------------------------------------------ TRL with evidence


@dataclass(frozen=True)
class TrlStep:
    level: int
    rule: str  # what the registry must show (English; the page translates it)
    met: bool
    evidence: str  # what was found (numbers, ids), or ""


@dataclass(frozen=True)
class TrlEvidence:
    level: int | None  # the highest level whose step and every step below are met; None if none is
    stated: int | None  # the highest TRL the company states for its core technologies
    steps: tuple[TrlStep, ...]

    @property
    def stated_above_evidence(self) -> bool:
        return self.stated is not None and (self.level is None or self.stated > self.level)


TRL_RULES: tuple[tuple[int, str], ...] = (
    (3, "a patent application filed (proof of concept)"),
    (4, "a patent granted (the technology validated by examination)"),
    (8, "sales in the last fiscal year on file, with a granted patent (a qualified product sold)"),
    (9, "sales in each of the last three fiscal years (the product proven in operation)"),
)


def trl_evidence(
    *,
    filed: int,
    granted: int,
    sales_by_year: Sequence[tuple[int, int]],
    stated: Sequence[int],
) -> TrlEvidence:
    """The TRL the registry supports: ``filed`` and ``granted`` patent counts, ``sales_by_year`` (fiscal year,
    sales in KRW; the last years on file), ``stated`` the TRLs of the company's core technologies. The ladder is
    ``TRL_RULES``: a level counts only if every level below it is met too."""
    years = sorted(sales_by_year, reverse=True)
    last_sales = years[0][1] if years else 0
    three = len(years) >= 3 and all(s > 0 for _y, s in years[:3])
    met = {
        3: (filed + granted > 0, f"{filed + granted}"),
        4: (granted > 0, f"{granted}"),
        8: (granted > 0 and last_sales > 0, f"FY{years[0][0]}: {last_sales:,}" if years else ""),
        9: (three, ", ".join(f"FY{y}" for y, s in years[:3] if s > 0)),
    }
    steps = tuple(TrlStep(level, rule, met[level][0], met[level][1]) for level, rule in TRL_RULES)
    level = None
    for step in steps:
        if not step.met:
            break
        level = step.level
    return TrlEvidence(level=level, stated=max(stated) if stated else None, steps=steps)


# ------------------------------------------------------------------------------------------ megatrends, growth


@dataclass(frozen=True)
class Megatrend:
    key: str
    name_ko: str
    name_en: str
    big3: bool
    ksic: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class MarketGrowth:
    cagr_percent: float
    period: str
    source: str  # "Publisher, title (year)" as the page states them; "ILLUSTRATIVE ..." for a placeholder
    url: str = ""  # the page the figure was taken from ("" for a placeholder)

    @property
    def illustrative(self) -> bool:
        """A placeholder figure, not a published forecast (the shipped table says so in its source column)."""
        return self.source.startswith("ILLUSTRATIVE")


@dataclass(frozen=True)
class TagReason:
    kind: str  # "ksic" | "keyword"
    value: str  # the KSIC code, or the keyword found
    where: str  # "" for KSIC; else the text's label as the caller gave it (a technology's or patent's name)


@dataclass(frozen=True)
class MegatrendTag:
    trend: Megatrend
    reasons: tuple[TagReason, ...]
    growth: MarketGrowth | None


@cache
def megatrends() -> tuple[Megatrend, ...]:
    raw = json.loads((DATA_DIR / "megatrends.json").read_text(encoding="utf-8"))
    return tuple(
        Megatrend(
            t["key"], t["name_ko"], t["name_en"], bool(t["big3"]), tuple(t["ksic"]), tuple(t["keywords"])
        )
        for t in raw["tags"]
    )


@cache
def market_growth() -> dict[str, MarketGrowth]:
    with (DATA_DIR / "market_growth.csv").open(encoding="utf-8") as f:
        return {
            r["tag"]: MarketGrowth(
                float(r["cagr_percent"]), r["period"], r["source"], (r.get("url") or "").strip()
            )
            for r in csv.DictReader(f)
            if r["cagr_percent"]
        }


def _keyword_re(keyword: str) -> re.Pattern[str]:
    # ASCII keywords match as words ("AI" not inside "maintain"); Korean ones as substrings.
    if keyword.isascii():
        return re.compile(rf"(?<![A-Za-z]){re.escape(keyword)}(?![A-Za-z])", re.IGNORECASE)
    return re.compile(re.escape(keyword))


@cache
def _compiled(trends: tuple[Megatrend, ...]) -> tuple[tuple[Megatrend, tuple[re.Pattern[str], ...]], ...]:
    return tuple((t, tuple(_keyword_re(k) for k in t.keywords)) for t in trends)


def megatrend_tags(
    *,
    ksic_code: str,
    texts: Sequence[tuple[str, str]],
    trends: tuple[Megatrend, ...] | None = None,
    growth: dict[str, MarketGrowth] | None = None,
    max_reasons: int = 3,
) -> list[MegatrendTag]:
    """The tags a company carries: by its KSIC code (prefix match) and by keywords in ``texts`` — (where, text)
    pairs such as ("AI 반도체 설계", "AI 반도체 설계 NPU; 저전력"). Each tag says why (at most ``max_reasons``),
    and brings its market growth."""
    trends = trends if trends is not None else megatrends()
    growth = growth if growth is not None else market_growth()
    out = []
    for trend, patterns in _compiled(trends):
        reasons: list[TagReason] = []
        if any(ksic_code.startswith(p) for p in trend.ksic):
            reasons.append(TagReason("ksic", ksic_code, ""))
        for where, text in texts:
            if len(reasons) >= max_reasons:
                break
            kw = next((k for k, pat in zip(trend.keywords, patterns, strict=True) if pat.search(text)), None)
            if kw is not None:
                reasons.append(TagReason("keyword", kw, where))
        if reasons:
            out.append(MegatrendTag(trend, tuple(reasons), growth.get(trend.key)))
    return out
