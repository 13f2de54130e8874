"""Whatever lands in a cell, the import reports a problem or accepts it: never another exception, and a
refused file writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nic1000.registry.fields import CellInvalid, parse_amount, parse_brn, parse_count, parse_date
from nic1000.registry.importing import registry_import_records
from tests.registry.factories import company_record, counts

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="0123456789,.-()₩원 _eE+", max_size=25),
    st.dates(),
    st.datetimes(),
)


@given(cells)
def test_cell_converters_raise_only_problems(value: Any) -> None:
    for conv in (parse_amount, parse_count, parse_date, parse_brn):
        try:
            conv(value)
        except CellInvalid as bad:
            assert str(bad.message) and bad.code == "invalid"


@given(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1))
def test_amounts_with_separators_roundtrip(n: int) -> None:
    assert parse_amount(f"{n:,}") == n
    if abs(n) <= 2**53:  # Excel stores numbers as doubles
        assert parse_amount(float(n)) == n


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(employees=cells, founded=cells, name=st.text(max_size=250))
def test_company_rows_never_crash(reference_data: None, employees: Any, founded: Any, name: str) -> None:
    rec = company_record(1, employees=employees, founded_on=founded, name_ko=name)
    before = counts()
    report = registry_import_records(kind="companies", records=[rec], acting_user=None, dry_run=True)
    assert counts() == before
    if report.ok:
        assert report.created + report.updated + report.unchanged == 1
    else:
        assert all(p.message_en and p.message_ko for p in report.problems)
