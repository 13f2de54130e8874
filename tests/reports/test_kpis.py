"""The KPI figures against a programme whose answers are known (tests/reports/world.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nic1000.core.money import JO
from nic1000.core.sectors import sector_label
from nic1000.reports import kpis
from tests.factories import CompanyFactory
from tests.reports.world import EOK, World, build

pytestmark = pytest.mark.django_db
MID_2023 = dt.date(2023, 6, 30)


def test_rounds_toward_the_target_with_removals_and_refills(world: World) -> None:
    rows = kpis.designation_progress()
    assert [
        (r.number, r.selected, r.removed_before, r.ended_before, r.refilled, r.new_places) for r in rows
    ] == [
        (1, 3, 0, 0, 0, 3),
        (2, 4, 1, 0, 1, 3),
        (3, 2, 0, 1, 1, 1),
    ]
    assert [(r.designated_total, r.active_after, r.target) for r in rows] == [
        (3, 3, 1000),
        (7, 6, 1000),
        (9, 7, 1000),
    ]
    assert rows[2].published_on == dt.date(2022, 10, 20)
    assert rows[2].target_share == pytest.approx(0.007)


def test_rounds_as_of_a_date_leave_out_later_rounds(world: World) -> None:
    assert [r.number for r in kpis.designation_progress(as_of=dt.date(2021, 12, 31))] == [1, 2]
    assert kpis.designation_progress(as_of=dt.date(2020, 1, 1)) == []


def test_progress_now_counts_places_freed_since_the_last_round(world: World) -> None:
    now = kpis.progress_now()
    assert (now.active, now.designated_total, now.removed_total, now.ended_total) == (6, 9, 2, 1)
    assert now.open_vacancies == 1  # removed 2023-03-01, after round 3
    assert now.to_target == 994
    before = kpis.progress_now(as_of=dt.date(2022, 12, 31))
    assert (before.active, before.open_vacancies) == (7, 0)


def test_breakdowns_of_active_designations(world: World) -> None:
    by_ministry = {s.key: s.count for s in kpis.by_ministry(as_of=MID_2023)}
    assert by_ministry == {"MSS": 2, "MOTIE": 2, "MSIT": 2}
    sectors = {s.key: (s.label, s.count) for s in kpis.by_sector(as_of=MID_2023)}
    assert (
        sectors["semiconductor"] == (sector_label("semiconductor"), 3)
        and sector_label("semiconductor") != "semiconductor"
    )
    assert sectors["C"] == (sector_label("C"), 1) and sector_label("C") != "C"  # the KSIC section's name
    assert {s.key: s.count for s in kpis.by_region(as_of=MID_2023)} == {"11": 3, "26": 3}
    sme = {s.key: (s.count, round(s.share, 3)) for s in kpis.by_sme(as_of=MID_2023)}
    assert sme == {"sme": (5, 0.833), "other": (1, 0.167)}
    assert [s.count for s in kpis.by_age(as_of=MID_2023)] == [0, 1, 2, 3]  # <3, 3-7, 7-10, 10+


def test_finance_by_quarter_against_the_plan(world: World) -> None:
    quarters = {q.quarter: q for q in kpis.finance_by_quarter(as_of=dt.date(2022, 12, 31))}
    # Every quarter from the first with money, with money or not.
    assert list(quarters) == [f"{y}Q{n}" for y in (2021, 2022) for n in (1, 2, 3, 4)]
    q1 = quarters["2021Q1"]
    assert (q1.cases, q1.approved, q1.disbursed) == (1, 10 * EOK, 6 * EOK)
    assert q1.by_group == {"loans": 10 * EOK, "guarantees": 0, "investment": 0}
    assert q1.plan_to_date == 40 * JO * 9 // 36  # July 2020 to March 2021: 9 of the plan's 36 months
    assert quarters["2021Q3"].by_group["guarantees"] == 20 * EOK
    assert quarters["2021Q4"].disbursed == 20 * EOK and quarters["2021Q4"].approved == 0
    q3 = quarters["2022Q3"]
    assert (q3.cases, q3.approved, q3.cumulative_approved) == (2, 8 * EOK, 38 * EOK)
    assert q3.by_group == {"loans": 3 * EOK, "guarantees": 0, "investment": 5 * EOK}
    assert quarters["2022Q4"].plan_to_date == 40 * JO * 30 // 36


def test_finance_by_year(world: World) -> None:
    years = {y.year: y for y in kpis.finance_by_year(as_of=dt.date(2023, 12, 31))}
    assert (years[2021].cases, years[2021].approved, years[2021].disbursed) == (2, 30 * EOK, 26 * EOK)
    assert (years[2022].approved, years[2022].cumulative_approved) == (8 * EOK, 38 * EOK)
    assert years[2023].plan_to_date == 40 * JO  # the plan's three years are over


def test_by_institution_in_a_quarter_and_to_its_end(world: World) -> None:
    rows = {r.code: r for r in kpis.by_institution(start=dt.date(2021, 7, 1), end=dt.date(2021, 9, 30))}
    kodit, kdb = rows["KODIT"], rows["KDB"]
    assert (kodit.applications_in_window, kodit.cases_in_window, kodit.approved_in_window) == (1, 1, 20 * EOK)
    assert kodit.disbursed_in_window == 0 and kodit.disbursed == 0  # paid in October
    assert (kdb.cases, kdb.approved, kdb.disbursed, kdb.repaid, kdb.outstanding) == (
        1,
        10 * EOK,
        6 * EOK,
        EOK,
        5 * EOK,
    )
    assert kdb.approved_in_window == 0
    assert rows["KGF"].approved == 0  # decided in 2022
    every = {r.code: r for r in kpis.by_institution()}
    assert (every["KDB"].cases, every["KDB"].companies, every["KDB"].approved) == (2, 1, 13 * EOK)
    assert every["IBK"].cases == 0  # declined and open applications are not finance


def test_by_product(world: World) -> None:
    rows = {r.code: r for r in kpis.by_product()}
    assert set(rows) == {"KDB-OPER", "KDB-FAC", "KODIT-GUAR", "KGF-INV"}
    assert (rows["KDB-OPER"].approved, rows["KDB-OPER"].outstanding) == (10 * EOK, 5 * EOK)
    assert rows["KODIT-GUAR"].kind == "guarantee"


def test_share_of_designated_companies_financed(world: World) -> None:
    s = kpis.financed_share()
    assert (s.designated, s.financed, s.active, s.active_financed) == (9, 3, 6, 3)
    assert s.share == pytest.approx(1 / 3) and s.active_share == pytest.approx(0.5)
    early = kpis.financed_share(as_of=dt.date(2021, 6, 30))
    assert (early.designated, early.financed) == (7, 1)


def test_by_ministry_in_a_quarter(world: World) -> None:
    rows = {r.code: r for r in kpis.by_ministry_detail(start=dt.date(2021, 7, 1), end=dt.date(2021, 9, 30))}
    assert set(rows) == {"MSS", "MOTIE", "MSIT"}
    mss = rows["MSS"]
    assert (mss.designated, mss.active, mss.removed, mss.financed_companies, mss.approved) == (
        3,
        2,
        1,
        1,
        10 * EOK,
    )
    assert mss.approved_in_window == 0
    motie = rows["MOTIE"]
    assert (motie.approved_in_window, motie.financed_companies, motie.financed_share) == (20 * EOK, 1, 0.5)
    q1 = {r.code: r for r in kpis.by_ministry_detail(start=dt.date(2021, 1, 1), end=dt.date(2021, 3, 31))}
    assert (q1["MSS"].removed_in_window, q1["MSS"].new_in_window) == (1, 0)
    q2 = {r.code: r for r in kpis.by_ministry_detail(start=dt.date(2021, 4, 1), end=dt.date(2021, 6, 30))}
    assert q2["MSIT"].new_in_window == 2


def test_monitoring_levels_over_time(world: World) -> None:
    rows = kpis.monitoring_levels()
    assert [r.period for r in rows] == ["2023-01", "2023-02"]
    assert rows[0].counts == {"normal": 6, "watch": 0, "warning": 1, "critical": 0}
    assert rows[1].counts == {"normal": 5, "watch": 1, "warning": 0, "critical": 1}
    assert [
        r.period for r in kpis.monitoring_levels(start=dt.date(2023, 2, 1), end=dt.date(2023, 3, 31))
    ] == ["2023-02"]
    assert kpis.monitoring_levels(limit=1)[0].period == "2023-02"


def test_survey_response_rates(world: World) -> None:
    (monthly,) = kpis.monthly_response_rates()
    assert (monthly.period, monthly.expected, monthly.responded, monthly.rate) == ("2023-04", 6, 3, 0.5)
    (half,) = kpis.difficulty_response_rates()
    assert (half.period, half.expected, half.responded) == ("2023H1", 6, 2)
    assert kpis.monthly_response_rates(end=dt.date(2023, 3, 31)) == []


def test_an_empty_programme_has_no_figures(reference_data: None) -> None:
    assert kpis.designation_progress() == []
    assert kpis.finance_by_quarter() == []
    assert kpis.progress_now().active == 0
    assert kpis.financed_share().share == 0.0
    assert kpis.plan().target == kpis.DEFAULT_TARGET


def _queries(fn: object) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()  # type: ignore[operator]
    return len(ctx)


KPI_CALLS = {
    "designation_progress": kpis.designation_progress,
    "progress_now": kpis.progress_now,
    "by_sector": kpis.by_sector,
    "by_age": kpis.by_age,
    "finance_by_quarter": kpis.finance_by_quarter,
    "by_institution": kpis.by_institution,
    "by_product": kpis.by_product,
    "financed_share": kpis.financed_share,
    "by_ministry_detail": kpis.by_ministry_detail,
    "monitoring_levels": kpis.monitoring_levels,
    "monthly_response_rates": kpis.monthly_response_rates,
}


def test_query_counts_do_not_grow_with_rows(reference_data: None) -> None:
    from tests.reports.world import _approved, _member

    world = build()
    before = {name: _queries(fn) for name, fn in KPI_CALLS.items()}
    # Twenty more designated companies, each financed, in the last round: the same number of queries.
    for i in range(20):
        m = _member(
            CompanyFactory(name_ko=f"추가기업{i}"), world.rounds[2], "MSS", dt.date(2022, 10, 20), "biohealth"
        )
        _approved(
            m,
            "IBK-OPER",
            EOK,
            dt.date(2022, 11, 1) + dt.timedelta(days=i),
            paid=[(dt.date(2022, 12, 1), EOK)],
        )
    after = {name: _queries(fn) for name, fn in KPI_CALLS.items()}
    assert after == before
    assert max(after.values()) <= 5


def test_five_rounds_of_the_programme(reference_data: None) -> None:
    """The programme's five rounds (program-facts: 32, 247, 321, 235, 208 selected), scaled down by ten, with a
    removal before each later round: every round is a row, and the places removed are refilled."""
    from nic1000.designations.models import Membership
    from nic1000.rounds.models import Program
    from tests.reports.world import _end, _member, _round

    program = Program.objects.create(name_ko="p", name_en="p", starts_on=dt.date(2020, 7, 1))
    days = [
        dt.date(2020, 7, 30),
        dt.date(2020, 11, 20),
        dt.date(2021, 5, 20),
        dt.date(2021, 12, 10),
        dt.date(2022, 10, 5),
    ]
    sizes = [3, 25, 32, 24, 21]
    for n, (day, size) in enumerate(zip(days, sizes, strict=True)):
        rnd = _round(program, n + 1, day)
        members = [_member(CompanyFactory(), rnd, "MSS", day, "ict") for _ in range(size)]
        if n < 4:
            _end(members[0], Membership.Status.REMOVED, day + dt.timedelta(days=30))
    rows = kpis.designation_progress()
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert [r.refilled for r in rows] == [0, 1, 1, 1, 1]
    assert rows[-1].designated_total == 105 and rows[-1].active_after == 101
    assert kpis.progress_now().active == 101
