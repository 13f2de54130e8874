"""`statements_import`: one scoped service for the company's own upload and the programme office's import.

A representative imports their own company's statements only (a row of another company is a problem of that
row, whether or not that company exists, and nothing is written) and is the actor in the audit trail; the
programme office imports any company's, or one company's when it names it."""

from __future__ import annotations

import io
from typing import Any

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden, ValidationFailed
from nic1000.core.identifiers import brn_format
from nic1000.monitoring.company_side import statement_upload_own
from nic1000.registry.importing import ImportReport, registry_import_file, statements_import
from nic1000.registry.models import Company, FinancialStatement
from tests.registry.factories import brn, counts, statement_record, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def brns(personas: Any) -> tuple[str, str]:
    a, b = personas.company_a_obj, personas.company_b_obj
    a.brn, b.brn = brn(7101), brn(7102)
    a.save(update_fields=["brn"])
    b.save(update_fields=["brn"])
    return brn_format(a.brn), brn_format(b.brn)


def _import(user: Any, company: Company | None, records: list[dict[str, Any]]) -> ImportReport:
    data = to_xlsx("statements", records)
    return statements_import(company=company, file=io.BytesIO(data), filename="fs.xlsx", acting_user=user)


def test_representative_imports_own_statements_as_the_actor(personas: Any, brns: tuple[str, str]) -> None:
    a = personas.company_a_obj
    report = _import(
        personas.company_a, a, [statement_record(brns[0], 2023), statement_record(brns[0], 2024)]
    )
    assert report.ok, report.problems
    assert report.created == 2
    assert set(FinancialStatement.objects.filter(company=a).values_list("fiscal_year", flat=True)) == {
        2023,
        2024,
    }
    entries = AuditEntry.objects.filter(action__in=["statement.create", "registry.import"])
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {personas.company_a.pk}


@pytest.mark.parametrize("other", ["registered", "unknown"])
def test_a_row_of_another_company_is_a_row_problem(personas: Any, brns: tuple[str, str], other: str) -> None:
    other_brn = brns[1] if other == "registered" else brn_format(brn(7999))
    before = counts()
    report = _import(
        personas.company_a,
        personas.company_a_obj,
        [statement_record(brns[0], 2024), statement_record(other_brn, 2024)],
    )
    assert not report.ok and counts() == before
    (problem,) = report.problems
    assert problem.row == 3 and problem.value == other_brn
    assert problem.column == "사업자등록번호 (Business registration number)"
    # The same words whether the other company is registered or not: nothing leaks about the registry.
    assert problem.message_en == (
        f"this row belongs to another company: only {personas.company_a_obj.name_ko}'s statements may be imported"
    )


def test_representative_may_not_import_for_another_or_any_company(
    personas: Any, brns: tuple[str, str]
) -> None:
    records = [statement_record(brns[1])]
    for company in (personas.company_b_obj, None):
        with pytest.raises(Forbidden):
            _import(personas.company_a, company, records)
    with pytest.raises(Forbidden):  # the office's import of any kind
        registry_import_file(
            kind="statements",
            file=to_xlsx("statements", records),
            filename="fs.xlsx",
            acting_user=personas.company_a,
        )
    for user in (personas.auditor, personas.ministry_mss, personas.support):
        with pytest.raises(Forbidden):
            _import(user, personas.company_a_obj, [statement_record(brns[0])])
    assert not FinancialStatement.objects.exists()


def test_programme_office_imports_any_company_or_one(personas: Any, brns: tuple[str, str]) -> None:
    records = [statement_record(brns[0], 2024), statement_record(brns[1], 2024)]
    scoped = _import(personas.program_office, personas.company_a_obj, records)
    assert not scoped.ok and [p.row for p in scoped.problems] == [3]
    report = _import(personas.program_office, None, records)
    assert report.ok and report.created == 2
    assert AuditEntry.objects.get(action="registry.import").actor_id == personas.program_office.pk


def test_company_upload_is_the_scoped_import(personas: Any, brns: tuple[str, str]) -> None:
    a = personas.company_a_obj
    bad = to_csv("statements", [statement_record(brns[0], 2024), statement_record(brns[1], 2024)])
    with pytest.raises(ValidationFailed) as exc:
        statement_upload_own(company=a, upload=io.BytesIO(bad), acting_user=personas.company_a)
    assert exc.value.code == "import_problems"
    assert [(d.row, d.value) for d in exc.value.details] == [(3, brns[1])]
    assert "another company" in exc.value.details[0].message
    assert not FinancialStatement.objects.exists()
    good = to_csv("statements", [statement_record(brns[0], 2024)])
    assert statement_upload_own(company=a, upload=io.BytesIO(good), acting_user=personas.company_a) == 1
    entry = AuditEntry.objects.get(action="statement.create")
    assert entry.actor_id == personas.company_a.pk and entry.actor_label == personas.company_a.username
    with pytest.raises(Forbidden):
        statement_upload_own(company=a, upload=io.BytesIO(good), acting_user=personas.company_b)
