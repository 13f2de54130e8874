"""Production settings: a real key or no start, a clean `check --deploy`, a CSP without inline script or style,
short private sessions and no caching of what a signed-in user sees."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "nic1000" / "templates"

# The production environment README's "Production" section documents (behind a TLS-terminating proxy).
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "AUDIT_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "nic1000.example.kr",
    "CSRF_TRUSTED_ORIGINS": "https://nic1000.example.kr",
    "NIC1000_BEHIND_PROXY": "1",
}


def _nic1000(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Start from this environment without the test suite's own key, http switch and settings module.
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "NIC1000_INSECURE_HTTP",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest for Playwright
        }
    }
    full = {**base, "NIC1000_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-m", "nic1000", *args], env=full, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path: Path) -> None:
    result = _nic1000(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "key", ["", "nic1000-insecure-development-key-change-me", "short-key"], ids=["none", "dev", "short"]
)
def test_production_refuses_to_start_without_a_real_key(tmp_path: Path, key: str) -> None:
    result = _nic1000(["check"], {**PRODUCTION_ENV, "SECRET_KEY": key}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_starts_on_the_development_key(tmp_path: Path) -> None:
    result = _nic1000(["check"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_production_defaults_are_https_only_with_short_sessions(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _nic1000(["shell", "-v", "0", "-c", code], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "28800",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    # The one switch for a local http demo.
    result = _nic1000(
        ["shell", "-v", "0", "-c", code], {**PRODUCTION_ENV, "NIC1000_INSECURE_HTTP": "1"}, tmp_path
    )
    assert result.stdout.split()[:4] == ["False", "0", "False", "False"]


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: inline {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: inline event handler")
        if re.search(r"\sstyle\s*=|<style\b", text):
            offenders.append(f"{path.name}: inline style")
        if "javascript:" in text or "hx-on" in text:
            offenders.append(f"{path.name}: javascript: URL or hx-on handler")
    assert not offenders, offenders


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_unsafe_inline(personas: Any) -> None:
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_signed_in_pages_and_api_answers_are_not_stored(personas: Any) -> None:
    public = Client().get("/")
    assert "no-store" not in public.get("Cache-Control", "")
    client = Client()
    client.force_login(personas.program_office)
    response = client.get("/rounds/")
    assert response.status_code == 200
    cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    api = Client().get("/api/v1/registry/companies", headers={"Authorization": "Bearer nope"})
    assert "no-store" in api["Cache-Control"]
