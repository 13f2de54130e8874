"""/api/docs works without internet: Swagger UI comes from the installed django-ninja, not from a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_api_docs_load_everything_from_this_server() -> None:
    r = Client().get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="swagger-ui"' in html and "<html lang=" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls), urls
    outside = [u for u in urls if re.match(r"(https?:)?//", u)]
    assert not outside, outside
    assert "cdn" not in html.lower()
    for url in urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file of this project"
    # The CSP stays strict: scripts only from this server, no inline script.
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    assert '"validatorUrl": null' in html
