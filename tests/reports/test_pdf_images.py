"""Page images of the documents, kept in test-artifacts/pdfs/ for a person to look at: no PDF rasteriser is
installed (no poppler, no pdfium binding; WeasyPrint 70 writes no PNG), so Debian's Chromium draws each page in its
own PDF viewer and Playwright takes the picture. Each image must show ink (a blank page fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from nic1000.reports import certificates, round_report
from nic1000.reports.pdfread import pdf_page_count
from tests.monitoring.factories import member
from tests.reports.conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
A4 = {"width": 794, "height": 1123}  # 96 dpi

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def page_images(pdf: Path, pages: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make install` (apt-get install chromium)"
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless=new"])
        try:
            for n in range(1, pages + 1):
                page = browser.new_page(viewport=A4)
                page.goto(f"{pdf.as_uri()}#page={n}&toolbar=0&navpanes=0&view=Fit")
                page.wait_for_timeout(1500)
                image = pdf.with_name(f"{pdf.stem}-p{n}.png")
                page.screenshot(path=str(image))
                page.close()
                out.append(image)
        finally:
            browser.close()
    return out


def _has_ink(image: Path) -> bool:
    with Image.open(image) as im:
        gray = im.convert("L")
        return bool(ImageStat.Stat(gray).stddev[0] > 5)


def test_certificate_and_round_report_pages_as_images(personas: Any, selected_round: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    documents = {
        "certificate": certificates.certificate_pdf(membership=member(personas.company_a_obj, body="MSS")),
        "round-report": round_report.round_report_pdf(round=selected_round),
    }
    for name, data in documents.items():
        pdf = ARTIFACTS / f"{name}-images.pdf"
        pdf.write_bytes(data)
        images = page_images(pdf, pdf_page_count(data))
        assert len(images) == pdf_page_count(data) >= 1
        assert all(_has_ink(i) for i in images), images
