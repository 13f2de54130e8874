"""The demo stage runs inspections through the task queue and the django-tasks-db worker."""

from __future__ import annotations

import pytest

from nic1000.demo.context import DemoContext
from nic1000.demo.stages import monitoring as demo
from nic1000.monitoring.models import InspectionRun
from tests.monitoring.factories import distressed, member, statements


@pytest.mark.django_db(transaction=True)
def test_demo_stage(personas) -> None:
    for company in (personas.company_a_obj, personas.company_b_obj):
        member(company)
    statements(personas.company_a_obj, {2024: {}, 2025: distressed()})
    ctx = DemoContext(seed=1, companies=2, fast=True, out=lambda _line: None)
    ctx.program_office = personas.program_office
    ctx.users = {"support_group": [personas.support], "company": [personas.company_a, personas.company_b]}
    counts = demo.run(ctx)
    assert counts["inspections"] == 2
    assert InspectionRun.objects.filter(status="done").count() == 2
    assert counts["warnings"] == 2  # company_a negative equity, company_b no statements
    assert counts["cases"] == 2 and counts["surveys"] == 4
    assert counts["removals"] == 1


def test_a_written_down_statement_still_balances_and_is_impaired() -> None:
    import numpy as np

    from nic1000.demo.registry_data import generate_registry
    from nic1000.registry.statement_items import statement_problems

    checked = 0
    for company in generate_registry(np.random.default_rng(5), 40):
        for items in company.statements[-1:]:
            items = {k: v for k, v in items.items() if k not in ("fiscal_year", "credit_delinquency")}
            after = demo.written_down(items, share=0.08)
            assert statement_problems(after) == []
            assert after["equity"] < 0 <= after["total_assets"] < items["total_assets"]
            assert after["net_profit"] < items["net_profit"]
            checked += 1
    assert checked >= 30
