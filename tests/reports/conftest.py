"""Documents under test: a scored and selected round, a designated company with statements, inspections and a
support case, and decided finance applications. Every rendered PDF is kept under test-artifacts/pdfs/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from nic1000.monitoring.models import CaseAction, InspectionResult, InspectionRun, SupportCase
from nic1000.rounds.services.selection import committee_decision_record, scores_aggregate, selection_run
from nic1000.rounds.services.setup import QuotaInput, quotas_set
from tests.factories import CompanyFactory, FinancialStatementFactory, statement_values
from tests.monitoring.factories import member
from tests.reports.pdftext import PdfText, pdf_text
from tests.reports.world import World, build
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round, submit_review

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdfs"


def keep(name: str, data: bytes) -> PdfText:
    """Write the PDF to the artifacts folder and return its text (read back from the bytes)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)
    return pdf_text(data)


def after(runs: list[str], label: str, n: int = 1) -> list[str]:
    """The `n` text runs after the first run equal to `label` (a table row's cells follow its header cell)."""
    i = runs.index(label)
    return runs[i + 1 : i + 1 + n]


# (body, score per criterion from each of three evaluators): the MOTIE pair disagrees.
PLAN = [
    ("MSS", (5, 5, 4)),
    ("MSS", (5, 4, 4)),
    ("MSS", (4, 4, 3)),
    ("MSS", (3, 3, 2)),
    ("MOTIE", (4, 3, 4)),
    ("MOTIE", (5, 1, 3)),
]


@pytest.fixture
def selected_round(personas: Any) -> Any:
    """Round 3: six candidacies scored by three evaluators, aggregated, selected under quotas (3 in all, MOTIE at
    least 1) and decided by the committee."""
    office = personas.program_office
    rnd = make_round(acting_user=office, state="selecting", number=3)
    evaluators = [make_evaluator(f"ev{i}") for i in range(3)]
    cands = []
    for code, scores in PLAN:
        c = make_candidacy(rnd, bodies=(code,))
        for e, s in zip(evaluators, scores, strict=True):
            submit_review(make_assignment(c, e), total=s * 20.0, score=s)
        cands.append(c)
    scores_aggregate(round=rnd, acting_user=office)
    quotas_set(
        round=rnd,
        rows=[QuotaInput("total", "", 3, 3), QuotaInput("body", "MOTIE", 1, None)],
        acting_user=office,
    )
    assert selection_run(round=rnd, acting_user=office).feasible
    committee_decision_record(round=rnd, note="위원회 의결: 최적화 결과대로 선정", acting_user=office)
    return rnd


@pytest.fixture
def monitored_company(personas: Any) -> Any:
    """A designated company with three years of statements, two inspections and a support case with an
    action."""
    company = CompanyFactory(name_ko="위험관리기업")
    for year, scale in ((2022, 1_000_000_000), (2023, 1_200_000_000), (2024, 900_000_000)):
        FinancialStatementFactory(company=company, fiscal_year=year, **statement_values(scale))
    m = member(company, body="MSS")
    now = timezone.now()
    results = []
    for period, p, level in (("2026-04", 0.12, "normal"), ("2026-05", 0.41, "warning")):
        run = InspectionRun.objects.create(period=period, status="done", created_at=now, processed=1)
        results.append(
            InspectionResult.objects.create(
                run=run,
                period=period,
                company=company,
                membership=m,
                probability=p,
                level=level,
                fiscal_year=2024,
                z_score=1.37,
                rules=["model_warning"] if level == "warning" else [],
            )
        )
    case = SupportCase.objects.create(
        company=company, membership=m, opened_from=results[-1], level="warning", opened_at=now,
        summary="운전자금 부족", due_on=dt.date(2026, 7, 1),
    )  # fmt: skip
    CaseAction.objects.create(
        case=case, kind="consultation", note="대표이사 면담: 만기연장 필요", at=now, by=personas.support
    )
    return company, m, case


@pytest.fixture
def world(reference_data: None) -> World:
    """The KPI tests' programme with known answers (tests/reports/world.py)."""
    return build()
