"""What finance shows is in the reader's language: error messages (amounts as the pages write them), states
and labels in the Excel workbook, never codes or snake_case headers."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from nic1000.core.errors import ValidationFailed
from nic1000.finance import services
from tests.finance.factories import make_application, product, select

pytestmark = pytest.mark.django_db


def _too_much(personas) -> ValidationFailed:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as e:
        services.application_submit(
            company=personas.company_a_obj,
            acting_user=personas.company_a,
            purpose="operating",
            amount=6_000_000_001,
            channel="direct",
            product=product("KDB-OPER"),
        )
    return e.value


def test_limit_error_in_the_readers_language(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    with translation.override("ko"):
        ko = str(_too_much(personas))
    with translation.override("en"):
        en = str(_too_much(personas))
    assert ko == "신청 금액이 이 상품의 한도(6,000,000,000원)를 넘습니다."
    assert "KRW" not in ko and "limit" not in ko
    assert en == "The amount is above the limit of KRW 6,000,000,000 for this product."


def test_excel_headers_and_cells_are_labels(personas, products) -> None:  # type: ignore[no-untyped-def]
    make_application(personas.company_a_obj, code="KDB-OPER", state="approved", approved_amount=10**9)
    c = Client()
    c.force_login(personas.program_office)
    c.cookies["django_language"] = "ko"
    wb = load_workbook(io.BytesIO(c.get("/finance/dashboard/export.xlsx").content))
    assert wb.sheetnames == ["신청", "기관별 익스포저", "상품별 익스포저", "프로그램 지원 실적"]
    ws = wb["신청"]
    header = [cell.value for cell in ws[1]]
    assert header[:4] == ["신청 번호", "기업", "사업자등록번호", "창구"]
    assert not [h for h in header if "_" in str(h)]  # no snake_case
    row = {h: cell.value for h, cell in zip(header, ws[2], strict=True)}
    assert row["상태"] == "승인" and row["용도"] == "운전자금 대출"
    exposure = [[cell.value for cell in r] for r in wb["상품별 익스포저"].iter_rows()]
    assert exposure[0][:2] == ["정책금융기관", "상품 종류"] and exposure[1][1] == "운전자금 대출"
    totals = [r[0].value for r in wb["프로그램 지원 실적"].iter_rows(min_row=2)]
    assert "승인 건수" in totals and not [t for t in totals if "_" in str(t)]
