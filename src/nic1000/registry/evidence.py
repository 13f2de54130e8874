"""The evidence panel of a company's file, computed from the registry on read (never typed in by evaluators):
patent indicators as percentiles within (WIPO technology field, filing year), the TRL the registry supports with
its rule, megatrend tags with the reason for each and the market growth of each tag with its source.

Queries are bounded whatever the number of patents: one for the company's patent counts and one for the cohorts
(the registry's patents of the filing years concerned); the company's patents, technologies and statements come
from the caller (the file has them already). The work is `nic1000.algorithms.evidence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nic1000.algorithms import evidence as ev
from nic1000.registry.models import Company, CoreTechnology, FinancialStatement, Patent

# The ladder's rules, as the page shows them (the algorithm's text is the English original).
TRL_RULE_LABELS = {
    3: _("a patent application filed (proof of concept)"),
    4: _("a patent granted (the technology validated by examination)"),
    8: _("sales in the last fiscal year on file, with a granted patent (a qualified product sold)"),
    9: _("sales in each of the last three fiscal years (the product proven in operation)"),
}
INDICATOR_LABELS = {
    "forward_citations": _("Forward citations"),
    "family_size": _("Family size"),
    "claims": _("Claims"),
    "grant_lag_days": _("Grant lag (days)"),
}


def _korean() -> bool:
    return (get_language() or "ko").startswith("ko")


@dataclass(frozen=True)
class Cell:
    value: int | None
    percentile: float | None

    @property
    def percentile_display(self) -> str:
        return "—" if self.percentile is None else f"{self.percentile:.0f}"


@dataclass(frozen=True)
class PatentRow:
    patent: Patent
    field_name: str  # the WIPO field in the reader's language, or "" when unclassified
    year: int
    cohort_size: int
    too_small: bool
    cells: tuple[Cell, ...]  # in INDICATORS order


@dataclass(frozen=True)
class TrlRow:
    level: int
    rule: str
    met: bool
    evidence: str


@dataclass(frozen=True)
class TagRow:
    name: str
    big3: bool
    reasons: tuple[ev.TagReason, ...]
    growth: ev.MarketGrowth | None


@dataclass(frozen=True)
class CompanyEvidence:
    indicators: tuple[str, ...]  # labels, in INDICATORS order
    rows: list[PatentRow]
    medians: tuple[str, ...]  # the company's median percentile per indicator ("—" when none)
    compared: int  # patents with a cohort large enough
    min_cohort: int
    trl_level: int | None
    trl_stated: int | None
    trl_stated_above: bool
    trl_steps: list[TrlRow]
    tags: list[TagRow]


def _facts(p: Patent) -> ev.PatentFacts:
    return ev.PatentFacts(
        p.ipc_classes, p.filed_on, p.granted_on, p.forward_citations, p.family_size, p.claims
    )


_POPULATION_FIELDS = ("ipc_classes", "filed_on", "granted_on", "forward_citations", "family_size", "claims")


def _standings(patents: Sequence[Patent]) -> list[ev.PatentStanding]:
    """One query: the registry's patents filed in the years of these patents, as the cohorts."""
    years = sorted({p.filed_on.year for p in patents})
    if not years:
        return []
    population = (
        ev.PatentFacts(*row)
        for row in Patent.objects.filter(filed_on__year__in=years)
        .values_list(*_POPULATION_FIELDS)
        .iterator(chunk_size=5000)
    )
    return ev.cohort_percentiles([_facts(p) for p in patents], population)


def _median(values: list[float]) -> str:
    if not values:
        return "—"
    values = sorted(values)
    n = len(values)
    mid = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return f"{mid:.0f}"


def company_evidence(
    *,
    company: Company,
    patents: Sequence[Patent],
    technologies: Sequence[CoreTechnology],
    statements: Sequence[FinancialStatement],
) -> CompanyEvidence:
    """The panel for `company`, given the patents, technologies and statements its file shows."""
    fields = ev.wipo_fields()
    korean = _korean()
    rows = []
    for p, s in zip(patents, _standings(patents), strict=True):
        f = fields.get(s.field_number) if s.field_number is not None else None
        name = (f.name_ko if korean else f.name_en) if f else ""
        cells = tuple(Cell(s.values[i], s.percentiles[i]) for i in ev.INDICATORS)
        rows.append(PatentRow(p, name, s.year, s.cohort_size, s.too_small, cells))
    medians = tuple(
        _median([c.percentile for r in rows if (c := r.cells[k]).percentile is not None])
        for k in range(len(ev.INDICATORS))
    )
    counts = Patent.objects.filter(company=company).aggregate(
        filed=Count("id", filter=Q(granted_on__isnull=True)),
        granted=Count("id", filter=Q(granted_on__isnull=False)),
    )
    trl = ev.trl_evidence(
        filed=counts["filed"],
        granted=counts["granted"],
        sales_by_year=[(st.fiscal_year, st.sales) for st in statements],
        stated=[t.trl for t in technologies],
    )
    texts = [(t.name, f"{t.name} {t.keywords}") for t in technologies] + [(p.title, p.title) for p in patents]
    tags = [
        TagRow(t.trend.name_ko if korean else t.trend.name_en, t.trend.big3, t.reasons, t.growth)
        for t in ev.megatrend_tags(ksic_code=company.ksic_id or "", texts=texts)
    ]
    return CompanyEvidence(
        indicators=tuple(str(INDICATOR_LABELS[i]) for i in ev.INDICATORS),
        rows=rows,
        medians=medians,
        compared=sum(1 for r in rows if not r.too_small),
        min_cohort=ev.MIN_COHORT,
        trl_level=trl.level,
        trl_stated=trl.stated,
        trl_stated_above=trl.stated_above_evidence,
        trl_steps=[TrlRow(s.level, str(TRL_RULE_LABELS[s.level]), s.met, s.evidence) for s in trl.steps],
        tags=tags,
    )
