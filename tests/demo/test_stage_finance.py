import pytest

from nic1000.audit.verify import audit_verify
from nic1000.demo.context import DemoContext
from nic1000.demo.stages import finance as demo
from nic1000.finance.models import Application, Disbursement
from nic1000.finance.selectors import program_totals
from tests.factories import CompanyFactory
from tests.finance.factories import select

pytestmark = pytest.mark.django_db


def _ctx(personas, fast: bool = True) -> DemoContext:  # type: ignore[no-untyped-def]
    ctx = DemoContext(seed=7, companies=20, fast=fast, out=lambda s: None)
    ctx.program_office = personas.program_office
    ctx.users = {"program_office": [personas.program_office], "company": [personas.company_a]}
    return ctx


def test_demo_moves_money(personas, products) -> None:  # type: ignore[no-untyped-def]
    for i in range(12):
        select(CompanyFactory(), sales=(i + 2) * 3_000_000_000)
    select(personas.company_a_obj)
    counts = demo.run(_ctx(personas))
    assert counts["applications"] == Application.objects.count() > 15
    assert counts["approved"] > 0 and counts["disbursed_krw"] > 0
    assert Disbursement.objects.exists()
    assert program_totals().disbursed_krw == counts["disbursed_krw"]
    assert counts["api_tokens"] == 1
    _rows, problems = audit_verify()
    assert not problems


def test_demo_without_selection_does_nothing(personas, products) -> None:  # type: ignore[no-untyped-def]
    assert demo.run(_ctx(personas))["applications"] == 0
