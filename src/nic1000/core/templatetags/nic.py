from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.translation import get_language

from nic1000.core.identifiers import brn_format
from nic1000.core.money import krw, krw_short

register = template.Library()


@register.filter(name="krw")
def krw_filter(value: Any) -> str:
    return krw(value)


@register.filter(name="krw_short")
def krw_short_filter(value: Any) -> str:
    return krw_short(value, get_language() or "ko")


@register.filter(name="brn")
def brn_filter(value: Any) -> str:
    return brn_format(str(value or ""))


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
