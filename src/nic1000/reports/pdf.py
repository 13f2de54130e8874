"""One way to make a PDF: a Django template and its context rendered by WeasyPrint, A4, Korean fonts.

Nothing is fetched over the network: the URL fetcher serves only `data:` URLs and the project's own static files
(found by the staticfiles finders, so `collectstatic` is not needed); anything else is refused and WeasyPrint
leaves it out. The stylesheets are static files (`nic1000/pdf/base.css`: KRDS colours and type, linked by
`reports/base_pdf.html` with `{% pdf_static %}`; no inline styles anywhere, as the pages' CSP requires); QR codes
and charts are inline SVG. Fonts come from fontconfig ('Noto Sans CJK KR', installed by
`make system-deps` as fonts-noto-cjk).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a document resolve against this base; the fetcher maps its /static/ paths to files on disk.
LOCAL_BASE_URL = "https://nic1000.invalid/"
FONT_FAMILY = "Noto Sans CJK KR"
# Under every document's own styles (a user stylesheet: the template's CSS wins): A4 and the Korean font, so a
# template that does not extend reports/base_pdf.html still prints on A4 without tofu.
DEFAULTS_CSS = f"@page {{ size: A4; }} html {{ font-family: '{FONT_FAMILY}', sans-serif; }}"


class FetchRefused(ValueError):
    """A document asked for something that is neither a data: URL nor one of the project's static files."""


def _static_file(url: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != LOCAL_BASE_URL:
        return None
    static_url = str(settings.STATIC_URL or "/static/")
    path = unquote(parts.path)
    if not path.startswith(static_url) or ".." in path.split("/"):
        return None
    found = finders.find(path[len(static_url) :])
    return found if isinstance(found, str) else None


class LocalURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """WeasyPrint's fetcher limited to data: URLs and local static files (never the network, never file:)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        path = _static_file(url)
        if path is None:
            raise FetchRefused(f"PDF documents fetch only local static files, not {url!r}")
        mime_type, _encoding = mimetypes.guess_type(path)
        return URLFetcherResponse(
            url, Path(path).read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
        )


def render_document(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> Document:
    """The laid-out document (its `pages`): what `render_pdf` writes."""
    html = render_to_string(template_name, context)
    font_config = FontConfiguration()
    fetcher = LocalURLFetcher(fail_on_errors=False)
    defaults = CSS(string=DEFAULTS_CSS, font_config=font_config, url_fetcher=fetcher)
    document: Document = HTML(string=html, base_url=base_url or LOCAL_BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[defaults], font_config=font_config
    )
    return document


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """The template rendered with its context as an A4 PDF. Templates extend `reports/base_pdf.html` for the
    KRDS look (header band, tables, page numbers); `kpis` and others call this with their own templates."""
    document = render_document(template_name, context, base_url=base_url)
    data: bytes = document.write_pdf()
    return data
