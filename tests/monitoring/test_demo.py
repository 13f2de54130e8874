"""The demo stage runs inspections through the task queue and the django-tasks-db worker."""

from __future__ import annotations

import pytest

from nic1000.demo.context import DemoContext
from nic1000.monitoring import demo
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
