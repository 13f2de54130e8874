"""The evidence panel's pure parts: IPC → WIPO field, cohort percentiles, the TRL ladder, megatrend tags, and
the shipped tables' consistency."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from nic1000.algorithms import evidence as ev


@pytest.mark.parametrize(
    ("ipc", "field"),
    [
        ("H01L 21/66; G06F 30/39", 8),  # the first class decides
        ("G01N 33/53", 11),  # a main group the table splits off
        ("G01N 21/00", 10),
        ("A61K 8/02", 14),
        ("A61K 39/395", 16),
        ("H04N 21/2187", 4),
        ("H04N 5/225", 2),
        ("B01D 53/62", 24),
        ("B01D 1/00", 23),
        ("g06n 20/00", 6),
        ("G06Q50/10", 7),
        ("", None),
        ("not a class", None),
        ("Z99Z 1/00", None),
    ],
)
def test_tech_field(ipc: str, field: int | None) -> None:
    assert ev.tech_field(ipc) == field


def test_the_concordance_covers_every_field_once() -> None:
    table = ev.ipc_concordance()
    assert set(table.values()) == set(range(1, 36)) == set(ev.wipo_fields())
    assert ev.wipo_fields()[8].name_en == "Semiconductors" and ev.wipo_fields()[8].name_ko == "반도체"


def _p(
    ipc: str, year: int, cites: int, family: int = 1, claims: int = 10, lag: int | None = 500
) -> ev.PatentFacts:
    filed = dt.date(year, 3, 1)
    granted = filed + dt.timedelta(days=lag) if lag is not None else None
    return ev.PatentFacts(ipc, filed, granted, cites, family, claims)


def test_percentiles_are_mid_ranks_within_field_and_year() -> None:
    cohort = [_p("H01L 21/00", 2018, c) for c in range(10)]  # citations 0..9
    other_year = [_p("H01L 21/00", 2019, 100) for _ in range(20)]
    other_field = [_p("A61K 39/00", 2018, 100) for _ in range(20)]
    mine = cohort[7]
    (s,) = ev.cohort_percentiles([mine], cohort + other_year + other_field)
    assert (s.field_number, s.year, s.cohort_size, s.too_small) == (8, 2018, 10, False)
    assert s.percentiles["forward_citations"] == pytest.approx(75.0)  # 7 below, itself half: 7.5 / 10
    assert s.percentiles["family_size"] == pytest.approx(50.0)  # all equal: the middle
    assert s.percentiles["grant_lag_days"] == pytest.approx(50.0)
    assert s.medians["forward_citations"] == pytest.approx(4.5)


def test_a_small_cohort_is_not_compared() -> None:
    cohort = [_p("H01L 21/00", 2018, c) for c in range(9)]
    (s,) = ev.cohort_percentiles([cohort[0]], cohort)
    assert s.too_small and s.cohort_size == 9
    assert all(v is None for v in s.percentiles.values())


def test_grant_lag_only_among_granted() -> None:
    cohort = [_p("H01L 21/00", 2018, 1, lag=None) for _ in range(12)] + [_p("H01L 21/00", 2018, 1, lag=400)]
    standings = ev.cohort_percentiles([cohort[0], cohort[-1]], cohort)
    assert standings[0].percentiles["grant_lag_days"] is None  # not granted
    assert standings[1].percentiles["grant_lag_days"] is None  # one granted: too few to compare
    assert standings[1].percentiles["claims"] == pytest.approx(50.0)


def test_trl_ladder_needs_every_step_below() -> None:
    sales = [(2024, 5_000_000_000), (2023, 4_000_000_000), (2022, 1_000_000_000)]
    full = ev.trl_evidence(filed=1, granted=2, sales_by_year=sales, stated=[6, 7])
    assert full.level == 9 and full.stated == 7 and not full.stated_above_evidence
    assert [s.met for s in full.steps] == [True, True, True, True]
    no_grant = ev.trl_evidence(filed=3, granted=0, sales_by_year=sales, stated=[7])
    assert no_grant.level == 3 and no_grant.stated_above_evidence  # sales without a granted patent stop at 3
    nothing = ev.trl_evidence(filed=0, granted=0, sales_by_year=[], stated=[5])
    assert nothing.level is None and nothing.stated_above_evidence
    one_year = ev.trl_evidence(filed=0, granted=1, sales_by_year=[(2024, 10), (2023, 0)], stated=[])
    assert one_year.level == 8 and one_year.stated is None and one_year.steps[2].evidence == "FY2024: 10"


def test_megatrend_tags_say_why() -> None:
    tags = ev.megatrend_tags(
        ksic_code="26112",
        texts=[
            ("AI 반도체 설계", "AI 반도체 설계 NPU; 저전력"),
            ("maintenance robot arm", "maintenance robot arm"),
        ],
    )
    by_key = {t.trend.key: t for t in tags}
    semi = by_key["semiconductor_display"]
    assert semi.trend.big3
    assert semi.reasons[0] == ev.TagReason("ksic", "26112", "")
    assert ev.TagReason("keyword", "반도체", "AI 반도체 설계") in semi.reasons
    assert [r.where for r in by_key["ai"].reasons] == [
        "AI 반도체 설계"
    ]  # "AI" is a word; not in "maintenance"
    assert "robotics_manufacturing" in by_key
    assert "hydrogen" not in by_key
    assert semi.growth is not None and semi.growth == ev.market_growth()["semiconductor_display"]


def _growth_rows() -> dict[str, dict[str, str]]:
    with (ev.DATA_DIR / "market_growth.csv").open(encoding="utf-8") as f:
        return {r["tag"]: r for r in csv.DictReader(f)}


def test_every_megatrend_has_a_growth_row_with_its_source() -> None:
    growth = ev.market_growth()
    keys = [t.key for t in ev.megatrends()]
    assert len(keys) == 13 and set(keys) == set(growth)
    assert all(g.source and g.period for g in growth.values())
    rows = _growth_rows()
    for (
        tag,
        g,
    ) in growth.items():  # the table as read: figures, periods, sources and pages as the CSV has them
        row = rows[tag]
        assert (g.cagr_percent, g.period, g.source, g.url) == (
            float(row["cagr_percent"]),
            row["period"],
            row["source"],
            row["url"],
        )
        # a placeholder has no page; a cited figure has one
        assert g.illustrative == (not g.url) and (g.illustrative or g.url.startswith("https://"))
    if any(g.illustrative for g in growth.values()):
        assert (ev.DATA_DIR / "SOURCE.md").read_text(encoding="utf-8").count("ILLUSTRATIVE") >= 1
