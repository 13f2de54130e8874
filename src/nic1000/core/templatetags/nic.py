"""The one place for how values look on pages, per language (docs/architecture.md, Conventions).

`krw` (full amount, detail tables), `krw_short` (억원/조원, summaries), `percent` (a share 0.233 → 23.3%),
`day` (a date), `when` (a date and time in Asia/Seoul, 오전/오후 in Korean), `brn`, `sector` (a sector key's
label), `name` (an object's name_ko / name_en by language). Dates and times come from the format modules in `core/formats/<lang>/formats.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import get_language

from nic1000.core.identifiers import brn_format
from nic1000.core.money import krw, krw_short, percent
from nic1000.core.sectors import sector_label

register = template.Library()


def _lang() -> str:
    return get_language() or "ko"


@register.filter(name="krw")
def krw_filter(value: Any) -> str:
    return krw(value, _lang())


@register.filter(name="krw_short")
def krw_short_filter(value: Any) -> str:
    return krw_short(value, _lang())


@register.filter(name="percent")
def percent_filter(value: Any, digits: Any = 1) -> str:
    if value in (None, ""):
        return "–"
    return percent(float(value), int(digits))


@register.filter(name="day")
def day_filter(value: Any) -> str:
    """A date (or a datetime's date in Asia/Seoul): 2026-03-31."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "DATE_FORMAT")


@register.filter(name="when")
def when_filter(value: Any) -> str:
    """A date and time in Asia/Seoul: 2026-03-31 오전 10:00 (en: 2026-03-31 10:00 AM)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if not isinstance(value, dt.datetime):
        return formats.date_format(value, "DATE_FORMAT")
    return formats.date_format(value, "DATETIME_FORMAT")


@register.filter(name="brn")
def brn_filter(value: Any) -> str:
    return brn_format(str(value or ""))


@register.filter(name="sector")
def sector_filter(value: Any) -> str:
    return str(sector_label(str(value or "")))


@register.filter(name="name")
def name_filter(obj: Any) -> str:
    """An object's name in the reader's language: `name_en` for English when it has one, else `name_ko`."""
    name_en = getattr(obj, "name_en", "")
    if name_en and not _lang().startswith("ko"):
        return str(name_en)
    return str(getattr(obj, "name_ko", "") or obj)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (pagination links keep the filters)."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
