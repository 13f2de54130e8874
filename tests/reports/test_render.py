"""The renderer fetches nothing from the network: only data: URLs and the project's own static files."""

from __future__ import annotations

import pytest

from nic1000.reports.charts import bar_chart, bins, box, box_plots, histogram
from nic1000.reports.pdf import LOCAL_BASE_URL, FetchRefused, LocalURLFetcher


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://nic1000.invalid/static/../settings.py",
        "https://nic1000.invalid/media/nominations/x.pdf",
        "file:///etc/passwd",
        "https://nic1000.invalid.example.com/static/nic1000/app.css",
    ],
)
def test_the_fetcher_refuses_anything_but_local_static_files(url: str) -> None:
    with pytest.raises(FetchRefused):
        LocalURLFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls() -> None:
    css = LocalURLFetcher().fetch(f"{LOCAL_BASE_URL}static/nic1000/app.css")
    assert b"font-family" in css.read() and css.content_type == "text/css"
    data = LocalURLFetcher().fetch("data:text/plain;base64,aGk=")
    assert data.read() == b"hi"


def test_charts_escape_labels_and_count_right() -> None:
    svg = bar_chart([("<script>", 3.0), ("MSS", 5.0)], title="t & u")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t &amp; u" in svg
    counted = bins([0, 5, 10, 99.9, 100, 150, -3], low=0, high=100, n=10)
    assert [b.count for b in counted] == [3, 1, 0, 0, 0, 0, 0, 0, 0, 3]
    b = box("x", [1, 2, 3, 4, 5])
    assert b is not None and (b.minimum, b.q1, b.median, b.q3, b.maximum) == (1, 2, 3, 4, 5)
    assert box("x", []) is None
    assert box_plots([b], title="b", low=0, high=5).startswith("<svg")
    assert histogram(counted, title="h").count("<rect") == 10


def test_any_template_prints_on_a4_in_the_korean_font(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from nic1000.reports.pdf import render_pdf
    from tests.reports.pdftext import pdf_text

    (tmp_path / "bare.html").write_text("<p>한글 문서 {{ n }}</p>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    data = render_pdf("bare.html", {"n": 7})
    from nic1000.reports.pdfread import objects, page_numbers

    found = objects(data)
    assert [b"/MediaBox [0 0 595.275591 841.889764]" in found[n][0] for n in page_numbers(found)] == [True]
    text = pdf_text(data)
    assert "한글 문서 7" in text.text and all("Noto-Sans-CJK-KR" in f for f in text.fonts)


def test_documents_link_their_stylesheets_and_the_fetcher_finds_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The PDF styles are static files (no inline style anywhere): each linked one must be fetched."""
    from django.template.loader import render_to_string

    fetched: list[str] = []
    original = LocalURLFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LocalURLFetcher, "fetch", spy)
    from nic1000.reports.pdf import render_pdf

    html = render_to_string("reports/quarterly_pdf.html", {"report": None})
    assert "nic1000/pdf/quarterly.css" in html and "<style" not in html
    render_pdf("reports/base_pdf.html", {})
    assert any(u.endswith("/static/nic1000/pdf/base.css") for u in fetched)
    css = LocalURLFetcher().fetch(f"{LOCAL_BASE_URL}static/nic1000/pdf/certificate.css")
    assert b".cert" in css.read()
