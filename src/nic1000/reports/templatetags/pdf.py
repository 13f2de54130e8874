"""`{% pdf_static "nic1000/pdf/base.css" %}`: a static file's address for WeasyPrint's local fetcher.

Not `{% static %}`: in production that gives the collected file's hashed name, and a PDF made before or without
`collectstatic` (the command line right after `nic1000 demo`) would lose its styles. The fetcher reads the
source file through the staticfiles finders."""

from __future__ import annotations

from django import template
from django.conf import settings

from nic1000.reports.pdf import LOCAL_BASE_URL

register = template.Library()


@register.simple_tag
def pdf_static(path: str) -> str:
    return f"{LOCAL_BASE_URL}{str(settings.STATIC_URL or '/static/').lstrip('/')}{path}"
