"""The demo registry's data: companies, patents, core technologies and statements.

`generate_registry(rng, n)` is pure (no database): it returns plain records keyed by model field names,
drawn from one numpy Generator, so the same seed gives the same registry. The registry stage
(`demo.stages.registry`) writes them through the registry's import service and creates the users.

What the data looks like (programme facts, ../shared/guide/program-facts.md):
* sectors of the programme with their weights (names.SECTORS), KSIC sub-classes and IPC classes per sector;
* regions concentrated in Seoul and Gyeonggi (names.REGIONS); ocean companies by the sea;
* young companies (about 46% under seven years old), more than 92% SMEs;
* patents with heavy-tailed (lognormal) forward citations, older patents cited more;
* 3–5 years of balanced statements (they pass `statement_items.statement_problems`) following a health
  profile: ``grower`` (growing sales, thin profits), ``tech_loss`` (strong technology, losses, high debt,
  kept afloat by equity rounds), ``mature`` (stable), ``distress`` (falling sales, losses; negative equity in
  the latest year); a few companies have a credit delinquency in the latest year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from nic1000.core.identifiers import brn_make
from nic1000.demo.names import (
    COASTAL_REGIONS,
    GIVEN,
    PREFIXES,
    REGIONS,
    SECTORS,
    SURNAMES,
    Sector,
)
from nic1000.registry.regions import REGION_KO

T = TypeVar("T")


def _years_since_2026(today: dt.date | None = None) -> int:
    return max(0, (today or dt.datetime.now(dt.UTC).date()).year - 2026)


# The demo's "today" for ages and patent dates, and its last fiscal year. Fixed within a calendar year, so the
# data does not depend on the day it is made, but moved on by whole years, so the demo does not age: a
# statement more than two fiscal years old makes eligibility "unknown" at nomination.
LATEST_FISCAL_YEAR = 2025 + _years_since_2026()
REFERENCE_DATE = dt.date(2026 + _years_since_2026(), 6, 30)
PROFILES = ("grower", "tech_loss", "mature", "distress")
PROFILE_WEIGHTS = (0.46, 0.25, 0.18, 0.11)


@dataclass
class DemoCompany:
    company: dict[str, Any]
    sector: str
    body: str
    profile: str
    patents: list[dict[str, Any]] = field(default_factory=list)
    technologies: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)


def _choice(rng: np.random.Generator, seq: Sequence[T]) -> T:
    return seq[int(rng.integers(len(seq)))]


def _weighted(rng: np.random.Generator, keys: list[str], weights: list[float]) -> str:
    p = np.asarray(weights, dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def person_name(rng: np.random.Generator) -> str:
    return _choice(rng, SURNAMES) + _choice(rng, GIVEN)


def _company_name(rng: np.random.Generator, sector: Sector, taken: set[str]) -> tuple[str, str]:
    for attempt in range(50):
        (p_ko, p_en), (s_ko, s_en) = _choice(rng, PREFIXES), _choice(rng, sector.suffixes)
        if attempt >= 3:  # two stems when the simple name is taken: 한빛넥스반도체
            q_ko, q_en = _choice(rng, PREFIXES)
            p_ko, p_en = p_ko + q_ko, p_en + q_en.lower()
        base = p_ko + s_ko
        if base not in taken:
            taken.add(base)
            break
    form = rng.random()
    name_ko = f"주식회사 {base}" if form < 0.35 else f"(주){base}" if form < 0.5 else base
    name_en = f"{p_en} {s_en} {'Inc.' if rng.random() < 0.4 else 'Co., Ltd.'}"
    return name_ko, name_en


def _address(rng: np.random.Generator, region: str) -> str:
    district, road = _choice(rng, REGIONS[region][1])
    number = int(rng.integers(1, 400))
    parts = [REGION_KO[region], district, f"{road} {number}"]
    if rng.random() < 0.6:
        parts.append(f"{int(rng.integers(2, 20))}층")
    return " ".join(p for p in parts if p)


def _founded(rng: np.random.Generator) -> dt.date:
    # About 46% under seven years old (the programme: "over 44%"), the rest up to 35 years.
    if rng.random() < 0.46:
        age_days = int(rng.uniform(1.2, 6.95) * 365.25)
    else:
        age_days = int((7.05 + rng.gamma(2.0, 4.5)) * 365.25)
        age_days = min(age_days, 35 * 365)
    return REFERENCE_DATE - dt.timedelta(days=age_days)


class _Serial:
    """Unique business registration numbers and patent application numbers."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.brns: set[str] = set()
        self.applications: dict[int, int] = {}

    def brn(self) -> str:
        while True:
            office = int(self.rng.integers(101, 900))
            kind = _choice(self.rng, (81, 81, 81, 86, 87, 88))
            serial = int(self.rng.integers(0, 10_000))
            value = brn_make(f"{office:03d}{kind:02d}{serial:04d}")
            if serial and value not in self.brns:  # serial 0000 is not a valid number (python-stdnum)
                self.brns.add(value)
                return value

    def application(self, year: int) -> str:
        n = self.applications.get(year, int(self.rng.integers(10_000, 60_000)))
        n += int(self.rng.integers(1, 40))
        self.applications[year] = n
        return f"10-{year}-{n:07d}"


def _company(rng: np.random.Generator, serial: _Serial, taken: set[str]) -> tuple[dict[str, Any], Sector]:
    sector = SECTORS[int(rng.choice(len(SECTORS), p=_SECTOR_P))]
    if sector.key == "oceans":
        region = _weighted(rng, list(COASTAL_REGIONS), list(COASTAL_REGIONS.values()))
    else:
        region = _weighted(rng, list(REGIONS), [w for w, _ in REGIONS.values()])
    founded = _founded(rng)
    age = (REFERENCE_DATE - founded).days / 365.25
    is_sme = rng.random() < 0.94
    if is_sme:
        employees = int(np.clip(rng.lognormal(np.log(18 + 4 * age), 0.7), 3, 299))
    else:
        employees = int(np.clip(rng.lognormal(np.log(600), 0.6), 300, 5000))
    name_ko, name_en = _company_name(rng, sector, taken)
    slug = "".join(ch for ch in name_en.split(" Inc.")[0].split(" Co.,")[0].lower() if ch.isalnum())
    company = {
        "name_ko": name_ko,
        "name_en": name_en,
        "brn": serial.brn(),
        "ksic": _choice(rng, sector.ksic),
        "region": region,
        "address": _address(rng, region),
        "founded_on": founded,
        "employees": employees,
        "is_sme": is_sme,
        "is_listed": bool(rng.random() < (0.5 if not is_sme else 0.08 if age > 7 else 0.02)),
        "website": f"https://www.{slug}.co.kr",
        "representative": person_name(rng),
    }
    return company, sector


# Per sector: mean claims and a factor on the grant lag (examination takes longer in biotechnology and chemistry
# than in ICT); applications filed before 2012 waited longer (KIPO's pendency fell in the 2010s). Realistic
# shapes for the evidence panel's cohort percentiles, not statistics of KIPO's.
_PATENT_SHAPE: dict[str, tuple[float, float]] = {
    "semiconductor": (14, 0.9), "biohealth": (17, 1.35), "ict_software": (11, 0.85), "materials_parts": (10, 1.1),
    "environment_energy": (10, 1.05), "future_car": (12, 0.95),
}  # fmt: skip


def _patents(
    rng: np.random.Generator, serial: _Serial, sector: Sector, founded: dt.date, profile: str
) -> list[dict[str, Any]]:
    age = max((REFERENCE_DATE - founded).days / 365.25, 0.5)
    mean = sector.patent_mean * min(age, 12) / 10 * (1.6 if profile == "tech_loss" else 1.0)
    count = int(rng.negative_binomial(1.5, 1.5 / (1.5 + mean)))
    start = max(founded, dt.date(2005, 1, 1))
    span = max((REFERENCE_DATE - start).days - 30, 1)
    out = []
    for _ in range(min(count, 60)):
        filed = start + dt.timedelta(days=int(rng.integers(0, span)))
        years_old = (REFERENCE_DATE - filed).days / 365.25
        status = "filed"
        granted: dt.date | None = None
        claims_mean, lag_factor = _PATENT_SHAPE.get(sector.key, (12, 1.0))
        lag = int(rng.integers(380, 1100) * lag_factor * (1.25 if filed.year < 2012 else 1.0))
        if filed + dt.timedelta(days=lag) < REFERENCE_DATE and rng.random() < 0.8:
            granted = filed + dt.timedelta(days=lag)
            status = "expired" if rng.random() < 0.03 else "registered"
        elif years_old > 3 and rng.random() < 0.5:
            status = "abandoned"
        # Forward citations: heavy-tailed, growing with age; most patents are cited rarely or never.
        cites = 0
        if status in ("registered", "expired"):
            cites = int(rng.lognormal(np.log(0.6 + years_old * 0.5), 1.1) * (rng.random() < 0.75))
        ipc = list(dict.fromkeys(_choice(rng, sector.ipc) for _ in range(int(rng.integers(1, 4)))))
        tech_name, keywords = _choice(rng, sector.technologies)
        kw = keywords.split(", ")[0]
        obj = _choice(rng, sector.patent_objects)
        template = int(rng.integers(3))
        title = (
            f"{kw} 기반 {obj}"
            if template == 0
            else f"{obj} 및 그 제조 방법"
            if template == 1
            else f"{kw}을(를) 이용한 {obj}, 이를 포함하는 시스템 및 방법"
        )
        out.append(
            {
                "application_number": serial.application(filed.year),
                "registration_number": f"10-{int(rng.integers(1_000_000, 2_800_000)):07d}" if granted else "",
                "title": title,
                "abstract": f"본 발명은 {tech_name}에 관한 것으로, {obj}의 성능과 신뢰성을 높인다.",
                "ipc_classes": "; ".join(ipc),
                "filed_on": filed,
                "granted_on": granted,
                "status": status,
                "claims": int(np.clip(rng.poisson(claims_mean), 1, 60)),
                "family_size": int(1 + rng.geometric(0.6) - 1 + (rng.random() < 0.2) * rng.integers(1, 6)),
                "forward_citations": cites,
                "backward_citations": int(rng.poisson(7)),
            }
        )
    return out


def _technologies(rng: np.random.Generator, sector: Sector, profile: str) -> list[dict[str, Any]]:
    n = int(rng.integers(1, 5))
    picks = rng.permutation(len(sector.technologies))[: min(n, len(sector.technologies))]
    low, high = {"grower": (5, 9), "tech_loss": (4, 8), "mature": (7, 9), "distress": (4, 8)}[profile]
    out = []
    for i in picks:
        name, keywords = sector.technologies[int(i)]
        out.append(
            {
                "name": name,
                "keywords": keywords,
                "description": f"{sector.label_ko} 분야 핵심기술: {name}",
                "trl": int(rng.integers(low, high + 1)),
            }
        )
    return out


# By health profile: sales per employee (about 250 million won; less for loss-making technology companies),
# sales per unit of assets, and the equity share of the balance sheet.
PER_HEAD = {"grower": 2.5e8, "tech_loss": 0.9e8, "mature": 3.2e8, "distress": 2.0e8}
TURNOVER = {"grower": 1.0, "tech_loss": 0.45, "mature": 1.1, "distress": 0.8}
EQUITY_SHARE = {"grower": 0.4, "tech_loss": 0.3, "mature": 0.55, "distress": 0.3}


@dataclass
class _Books:
    """A company's running figures, carried from one fiscal year to the next."""

    sales: float
    turnover: float
    equity: float
    share_capital: int
    surplus: float
    retained: float
    total_assets: float
    liabilities_prev: float
    cogs_ratio: float


def _opening_books(rng: np.random.Generator, sector: Sector, company: dict[str, Any], profile: str) -> _Books:
    sales = company["employees"] * PER_HEAD[profile] * rng.lognormal(0, 0.35)
    turnover = TURNOVER[profile] * rng.lognormal(0, 0.2)
    equity_share = EQUITY_SHARE[profile] * rng.uniform(0.75, 1.25)
    total_assets = sales / turnover
    equity = total_assets * equity_share
    share_capital = max(int(equity * rng.uniform(0.1, 0.35)), 50_000_000)
    surplus = equity * (1.4 if profile == "tech_loss" else 0.1)
    return _Books(
        sales=sales,
        turnover=turnover,
        equity=equity,
        share_capital=share_capital,
        surplus=surplus,
        retained=equity - share_capital - surplus,
        total_assets=total_assets,
        liabilities_prev=total_assets - equity,
        cogs_ratio=float(np.clip(sector.cogs_ratio + rng.normal(0, 0.05), 0.15, 0.92)),
    )


def _profit_and_loss(rng: np.random.Generator, books: _Books, profile: str, i: int, n: int) -> dict[str, int]:
    """One year's income statement; sales grow (or, in distress, fall faster towards the latest year)."""
    if i > 0:
        growth = {
            "grower": rng.normal(0.22, 0.1),
            "tech_loss": rng.normal(0.35, 0.25),
            "mature": rng.normal(0.03, 0.05),
            "distress": rng.normal(-0.08 - 0.12 * i / n, 0.05),
        }[profile]
        books.sales *= max(1 + growth, 0.3)
    margin = {
        "grower": rng.normal(0.06, 0.04),
        "tech_loss": rng.normal(-0.35, 0.15),
        "mature": rng.normal(0.07, 0.03),
        "distress": rng.normal(-0.05 - 0.1 * i / n, 0.04),
    }[profile]
    s = int(books.sales)
    cogs = int(s * books.cogs_ratio)
    pos = int(s * margin)
    opex = s - pos
    if opex < cogs:
        cogs = int(opex * 0.9)
    poa = pos + int(s * rng.normal(0, 0.005))
    debt = max(books.liabilities_prev, 0)
    interest = int(debt * 0.6 * rng.uniform(0.03, 0.065))
    fin = interest + int(debt * rng.uniform(0, 0.004))
    extraordinary = int(s * rng.normal(0, 0.004))
    gross = poa - fin + extraordinary + int(books.total_assets * 0.15 * 0.02)  # interest on cash
    tax = int(gross * 0.18) if gross > 0 else 0
    return {
        "sales": s,
        "cost_of_products_sold": cogs,
        "operating_expenses": opex,
        "profit_on_sales": pos,
        "profit_on_operating_activities": poa,
        "financial_expenses": fin,
        "interest_expense": interest,
        "extraordinary_items": extraordinary,
        "gross_profit": gross,
        "net_profit": gross - tax,
    }


def _close_year(books: _Books, pnl: dict[str, int], profile: str, last: bool) -> float:
    """Carry the year's profit into equity. A loss-making technology company raises an equity round when its
    equity runs thin; a distressed company's latest year brings an impairment that wipes out its equity
    (자본잠식). Returns the equity raised."""
    injection = 0.0
    new_equity = books.equity + pnl["net_profit"]
    target_assets = books.sales / books.turnover
    if profile == "tech_loss" and new_equity < 0.22 * target_assets:
        injection = 0.26 * target_assets - new_equity
    if profile == "distress" and last and new_equity + injection >= 0:
        impairment = int(new_equity + 0.04 * target_assets) + 1
        pnl["extraordinary_items"] -= impairment
        pnl["gross_profit"] -= impairment
        gross = pnl["gross_profit"]
        pnl["net_profit"] = gross - (int(gross * 0.18) if gross > 0 else 0)
        new_equity = books.equity + pnl["net_profit"]
    books.equity = new_equity + injection
    books.retained += pnl["net_profit"]
    books.share_capital += int(injection * 0.1)
    books.surplus += injection * 0.9
    books.total_assets = target_assets
    if books.equity > 0.85 * books.total_assets:
        books.total_assets = books.equity / 0.85
    return injection


def _balance_sheet(
    rng: np.random.Generator, sector: Sector, books: _Books, injection: float
) -> dict[str, int]:
    ta = int(books.total_assets)
    eq = int(books.equity)
    tl = ta - eq
    stl = int(tl * rng.uniform(0.45, 0.75))
    ca = int(ta * rng.uniform(0.4, 0.7))
    fa = ta - ca
    cash_share = rng.uniform(0.15, 0.45) * (1.3 if injection else 1.0)
    parts = np.array([cash_share, rng.uniform(0, 0.12), rng.uniform(0.15, 0.3), sector.inventory_share])
    parts *= rng.uniform(0.85, 1.15, size=4)
    if parts.sum() > 0.95:
        parts *= 0.95 / parts.sum()
    cash, securities, receivables, inventory = (int(ca * p) for p in parts)
    books.liabilities_prev = tl
    return {
        "cash": cash,
        "short_term_securities": securities,
        "receivables": receivables,
        "inventory": inventory,
        "current_assets": ca,
        "fixed_assets": fa,
        "total_assets": ta,
        "short_term_liabilities": stl,
        "long_term_liabilities": tl - stl,
        "total_liabilities": tl,
        "share_capital": books.share_capital,
        "retained_earnings": int(books.retained),
        "equity": eq,
        "depreciation": int(fa * rng.uniform(0.05, 0.12)),
    }


def _statements(
    rng: np.random.Generator, sector: Sector, company: dict[str, Any], profile: str, delinquent: bool
) -> list[dict[str, Any]]:
    """Three to five balanced statements up to the latest fiscal year, following the health profile."""
    founded: dt.date = company["founded_on"]
    n_years = int(rng.integers(3, 6))
    first = max(founded.year if founded.month <= 6 else founded.year + 1, LATEST_FISCAL_YEAR - n_years + 1)
    years = list(range(first, LATEST_FISCAL_YEAR + 1))
    if not years:
        return []
    books = _opening_books(rng, sector, company, profile)
    out = []
    for i, year in enumerate(years):
        last = i == len(years) - 1
        pnl = _profit_and_loss(rng, books, profile, i, len(years))
        injection = _close_year(books, pnl, profile, last)
        out.append(
            {
                "fiscal_year": year,
                "credit_delinquency": bool(delinquent and last),
                **_balance_sheet(rng, sector, books, injection),
                **pnl,
            }
        )
    return out


_SECTOR_P = np.asarray([s.weight for s in SECTORS], dtype=float)
_SECTOR_P = _SECTOR_P / _SECTOR_P.sum()


def generate_registry(rng: np.random.Generator, n: int) -> list[DemoCompany]:
    """n companies with their patents, technologies and statements. Pure and deterministic for a given rng."""
    serial = _Serial(rng)
    taken: set[str] = set()
    out = []
    for _ in range(n):
        company, sector = _company(rng, serial, taken)
        profile = PROFILES[
            int(rng.choice(len(PROFILES), p=np.asarray(PROFILE_WEIGHTS) / sum(PROFILE_WEIGHTS)))
        ]
        # Delinquency mostly among distressed companies, a few loss-making technology companies.
        p_delinquent = {"distress": 0.2, "tech_loss": 0.03}.get(profile, 0.0)
        delinquent = bool(rng.random() < p_delinquent)
        body = sector.bodies[0] if rng.random() < 0.6 else _choice(rng, sector.bodies)
        out.append(
            DemoCompany(
                company=company,
                sector=sector.key,
                body=body,
                profile=profile,
                patents=_patents(rng, serial, sector, company["founded_on"], profile),
                technologies=_technologies(rng, sector, profile),
                statements=_statements(rng, sector, company, profile, delinquent),
            )
        )
    return out
