"""Inspections: levels by rules, idempotent re-runs, crash-resume, cases, bad statements."""

from __future__ import annotations

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict
from nic1000.monitoring.models import InspectionResult, InspectionRun, SupportCase
from nic1000.monitoring.services import inspections
from tests.factories import CompanyFactory, CoreTechnologyFactory, statement_values
from tests.monitoring.factories import distressed, member, statements, tech_loss

PERIOD = "2026-05"  # statements for fiscal year 2025 are due


def _fields(period: str = PERIOD) -> list[tuple]:
    return list(
        InspectionResult.objects.filter(period=period)
        .order_by("company_id")
        .values_list("company_id", "fiscal_year", "probability", "level", "model_level", "rules", "factors")
    )


@pytest.fixture
def portfolio(reference_data):
    """Nine active members: healthy, negative equity, tech with losses/debt but runway, no statements, the
    same tech company without strong technology, sales collapse, zero sales, absurd magnitudes, stale."""
    made = {}

    def add(name: str, years: dict | list | None, trl: int | None = None) -> None:
        c = CompanyFactory(name_en=name)
        member(c)
        if years is not None:
            statements(c, years)
        if trl:
            CoreTechnologyFactory(company=c, trl=trl)
        made[name] = c

    add("healthy", [2023, 2024, 2025])
    add("negative_equity", {2023: {}, 2024: {}, 2025: distressed()})
    add("tech_runway", {2023: tech_loss(), 2024: tech_loss(), 2025: tech_loss()}, trl=8)
    add("no_statements", None)
    add("tech_weak", {2023: tech_loss(), 2024: tech_loss(), 2025: tech_loss()}, trl=4)
    collapse = statement_values()
    collapse.update(sales=collapse["sales"] // 5, cost_of_products_sold=collapse["sales"] // 10)
    collapse["operating_expenses"] = collapse["cost_of_products_sold"]
    add("sales_collapse", {2024: {}, 2025: collapse})
    zero = statement_values()
    zero.update(sales=0, cost_of_products_sold=0, operating_expenses=0, profit_on_sales=0)
    add("zero_sales", {2025: zero})
    add("absurd", {2025: statement_values(10**17)})
    add("stale", [2022, 2023])
    return made


def level_of(company) -> str:
    return InspectionResult.objects.get(company=company, period=PERIOD).level


@pytest.mark.django_db
def test_inspection_levels_follow_the_rules(portfolio, personas) -> None:
    run = inspections.inspection_run(period=PERIOD, acting_user=personas.support, chunk_size=4)
    assert run.status == "done" and run.processed == 9 and run.chunks_done == 3
    assert level_of(portfolio["negative_equity"]) == "critical"
    assert level_of(portfolio["no_statements"]) == "warning"
    assert level_of(portfolio["stale"]) in ("warning", "critical")
    assert level_of(portfolio["sales_collapse"]) in ("warning", "critical")
    tech = InspectionResult.objects.get(company=portfolio["tech_runway"], period=PERIOD)
    assert tech.level in ("normal", "watch"), tech.rules
    weak = InspectionResult.objects.get(company=portfolio["tech_weak"], period=PERIOD)
    assert weak.level in ("warning", "critical") and "high_debt" in weak.rules
    assert "high_debt" in tech.rules and "runway_and_technology" in tech.rules  # the explanation says why
    for name in ("zero_sales", "absurd", "healthy"):
        r = InspectionResult.objects.get(company=portfolio[name], period=PERIOD)
        assert r.probability is None or 0.0 <= r.probability <= 1.0
    zero = InspectionResult.objects.get(company=portfolio["zero_sales"], period=PERIOD)
    assert zero.reasons, "ratios dividing by sales must say why they are missing"
    nothing = InspectionResult.objects.get(company=portfolio["no_statements"], period=PERIOD)
    assert nothing.probability is None and "missed_submission" in nothing.rules
    # Explanations are stored for warning and above, in both languages; others are computed on demand.
    top = InspectionResult.objects.get(company=portfolio["negative_equity"], period=PERIOD).factors
    assert top and all(f["en"] and f["ko"] and f["direction"] in ("up", "down") for f in top)
    healthy = InspectionResult.objects.get(company=portfolio["healthy"], period=PERIOD)
    if healthy.level not in ("warning", "critical"):
        assert healthy.factors == []
        from django.utils import translation

        from nic1000.monitoring.selectors import explanation

        with translation.override("ko"):
            factors = explanation(result=healthy)["factors"]
        assert factors and all(f["text"] == f["ko"] for f in factors)
    # Cases for warning and above, one per company.
    warned = InspectionResult.objects.filter(period=PERIOD, level__in=["warning", "critical"]).count()
    assert SupportCase.objects.count() == warned
    # The run is audited per chunk plus once when complete, not per company.
    assert AuditEntry.objects.filter(action="inspection.chunk").count() == 3
    assert AuditEntry.objects.filter(action="inspection.complete").count() == 1


@pytest.mark.django_db
def test_rerunning_a_period_changes_nothing(portfolio) -> None:
    inspections.inspection_run(period=PERIOD, acting_user=None, chunk_size=4)
    before, audit_before, cases_before = _fields(), AuditEntry.objects.count(), SupportCase.objects.count()
    run = inspections.inspection_run(period=PERIOD, acting_user=None, chunk_size=2)
    assert run.status == "done"
    assert _fields() == before
    assert AuditEntry.objects.count() == audit_before
    assert SupportCase.objects.count() == cases_before
    assert InspectionRun.objects.filter(period=PERIOD).count() == 1


class Crash(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("crash_after", [1, 2])
def test_a_crash_after_chunk_k_is_resumed_without_loss_or_duplicates(portfolio, crash_after) -> None:
    # Reference: a clean run of another period.
    inspections.inspection_run(period="2026-06", acting_user=None, chunk_size=2)
    reference = [(c, fy, p, lv) for c, fy, p, lv, *_ in _fields("2026-06")]

    def boom(k: int) -> None:
        if k == crash_after:
            raise Crash

    with pytest.raises(Crash):
        inspections.inspection_run(period=PERIOD, acting_user=None, chunk_size=2, after_chunk=boom)
    run = InspectionRun.objects.get(period=PERIOD)
    assert run.status == "failed" and run.chunks_done == crash_after and not run.claimed_by
    assert InspectionResult.objects.filter(period=PERIOD).count() == 2 * crash_after
    cases_mid = SupportCase.objects.count()
    run = inspections.inspection_run(period=PERIOD, acting_user=None, chunk_size=2)
    assert run.status == "done" and run.processed == 9 and run.attempts == 2
    assert [(c, fy, p, lv) for c, fy, p, lv, *_ in _fields()] == reference
    assert sum(run.counts.values()) == 9
    assert SupportCase.objects.count() == cases_mid  # the reference run opened them all already


@pytest.mark.django_db
def test_a_killed_worker_is_taken_over_once_its_claim_is_stale(portfolio, settings) -> None:
    import datetime as dt

    from django.utils import timezone

    run = inspections.inspection_run_request(period=PERIOD, acting_user=None)
    InspectionRun.objects.filter(pk=run.pk).update(
        status="running", claimed_by="dead-worker", heartbeat_at=timezone.now(), last_company_id=0
    )
    with pytest.raises(Conflict):
        inspections.inspection_run(period=PERIOD, acting_user=None)
    InspectionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    run = inspections.inspection_run(period=PERIOD, acting_user=None)
    assert run.status == "done" and run.processed == 9


@pytest.mark.django_db
def test_the_task_runs_the_inspection(portfolio, personas) -> None:
    from nic1000.monitoring.tasks import inspection_task

    out = inspection_task.call(period=PERIOD, trigger="on_demand", requested_by_id=personas.support.pk)
    assert out["status"] == "done" and out["processed"] == 9


@pytest.mark.django_db
def test_bad_period_is_refused(reference_data) -> None:
    from nic1000.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        inspections.inspection_run(period="2026-13", acting_user=None)
