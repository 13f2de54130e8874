"""Downloads from the pages, the public verifier and `nic1000 report ...`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from nic1000.designations.services import designation_remove
from nic1000.reports.pdfread import pdf_page_count
from tests.finance.factories import make_application
from tests.monitoring.factories import member
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_company_downloads_its_own_certificate_not_anothers(personas: Any) -> None:
    mine = member(personas.company_a_obj, body="MSS")
    theirs = member(personas.company_b_obj, body="MOTIE")
    client = _client(personas.company_a)
    response = client.get(reverse("reports:certificate", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    # The QR code and the printed address point at this site's verifier.
    assert f"http://testserver/verify/{mine.certificate_code}/" in pdf_text(response.content).text
    assert client.get(reverse("reports:certificate", args=[theirs.pk])).status_code == 404
    # The MOTIE officer sees MOTIE's designation only.
    motie = _client(personas.ministry_motie)
    assert motie.get(reverse("reports:certificate", args=[theirs.pk])).status_code == 200
    assert motie.get(reverse("reports:certificate", args=[mine.pk])).status_code == 404


def test_a_removed_designation_has_no_certificate_and_verifies_as_removed(personas: Any) -> None:
    m = member(personas.company_a_obj, body="MSS")
    url = reverse("reports:verify", args=[m.certificate_code])
    public = Client()
    assert 'data-status="valid"' in public.get(url).content.decode()
    designation_remove(
        membership=m, reason="going_concern", note="계속기업 가치 훼손", on=dt.date(2026, 6, 1),
        acting_user=personas.program_office,
    )  # fmt: skip
    page = public.get(url).content.decode()
    assert 'data-status="removed"' in page
    assert "계속기업 가치 훼손" not in page  # the reason stays internal
    assert personas.company_a_obj.brn not in page  # masked
    office = _client(personas.program_office)
    assert office.get(reverse("reports:certificate", args=[m.pk])).status_code == 404
    unknown = public.get(reverse("reports:verify", args=["NOTACODE"]))
    assert unknown.status_code == 200 and 'data-status="unknown"' in unknown.content.decode()


@override_settings(NIC1000_VERIFY_PER_MINUTE=3)
def test_the_verifier_is_rate_limited_per_client() -> None:
    public = Client()
    url = reverse("reports:verify", args=["ABCDEFGHJKLMNPQRSTUV"])
    assert [public.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_letter_download_needs_a_decision_and_the_right_institution(personas: Any) -> None:
    decided = make_application(
        personas.company_a_obj, code="KDB-OPER", state="declined", decline_reason="담보 부족",
        decided_at=timezone.now(),
    )  # fmt: skip
    open_app = make_application(personas.company_a_obj, code="KDB-OPER", state="under_review")
    kdb, ibk = _client(personas.institution_kdb), _client(personas.institution_ibk)
    response = kdb.get(reverse("reports:letter", args=[decided.pk]))
    assert response.status_code == 200 and "담보 부족" in pdf_text(response.content).text
    assert ibk.get(reverse("reports:letter", args=[decided.pk])).status_code == 404
    assert kdb.get(reverse("reports:letter", args=[open_app.pk])).status_code == 404


def test_round_report_download(personas: Any, selected_round: Any) -> None:
    response = _client(personas.auditor).get(reverse("reports:round", args=[selected_round.pk]))
    assert response.status_code == 200 and pdf_page_count(response.content) >= 2
    assert (
        _client(personas.ministry_mss).get(reverse("reports:round", args=[selected_round.pk])).status_code
        == 403
    )


def test_command_writes_round_report_and_certificate(
    personas: Any, selected_round: Any, tmp_path: Path
) -> None:
    out = tmp_path / "r3.pdf"
    call_command("report", "round", "3", "--out", str(out))
    text = pdf_text(out.read_bytes())
    assert selected_round.name in text.text and text.page_count >= 2
    m = member(personas.company_a_obj, body="MSS")
    cert = tmp_path / "cert.pdf"
    call_command(
        "report",
        "certificate",
        personas.company_a_obj.brn,
        "--out",
        str(cert),
        "--site-url",
        "https://x.example",
    )
    assert f"https://x.example/verify/{m.certificate_code}/" in pdf_text(cert.read_bytes()).text
    with pytest.raises(CommandError):
        call_command("report", "round", "42", "--out", str(out))
    with pytest.raises(CommandError):
        call_command("report", "certificate", "123-45-67890", "--out", str(cert))


def test_command_letter_risk_and_case(personas: Any, monitored_company: Any, tmp_path: Path) -> None:
    company, _m, case = monitored_company
    app = make_application(
        personas.company_a_obj, state="approved", approved_amount=1, decided_at=timezone.now()
    )
    for args in (("letter", str(app.pk)), ("risk", company.brn), ("case", str(case.pk))):
        out = tmp_path / f"{args[0]}.pdf"
        call_command("report", *args, "--out", str(out))
        assert out.read_bytes().startswith(b"%PDF") and pdf_page_count(out.read_bytes()) >= 1
