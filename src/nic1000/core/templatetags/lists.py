"""Template tags of list pages: sortable headers, the pager with a page jump, the result count, the export link.

`{% load lists %}` then
- `{% sort_th sort "name" _("Company") %}` (optional `cls="nic-num"`, `hx_target="#table"`): a header whose
  link keeps the filters, drops the page and flips the direction; `aria-sort` on the sorted column.
- `{% pager page_obj %}`: previous / "Page 3 of 120" / next and a page-jump form, for a Django `Page` or a
  `core.pagination.ListPage`.
- `{% result_count page_obj %}`: "1,234 results" (or "More than 10,000 results").
- `{% export_link %}`: "Download Excel (these filters)" to the same page with `format=xlsx` and no page.
- `user|may_search`: whether the header shows the global search box (staff roles; not companies, not the public).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nic1000.core.access import has_role
from nic1000.core.listing import EXPORT_FORMAT, EXPORT_PARAM
from nic1000.core.pagination import ListPage
from nic1000.core.roles import STAFF_ROLES
from nic1000.core.sorting import Sort

register = template.Library()


def _params(context: template.Context) -> QueryDict:
    request: HttpRequest | None = context.get("request")
    return request.GET.copy() if request is not None else QueryDict(mutable=True)


@register.simple_tag(takes_context=True)
def sort_th(
    context: template.Context, sort: Sort | None, key: str, label: Any, cls: str = "", hx_target: str = ""
) -> SafeString:
    """A column header; a plain one when the list is not sorted by it (`sort` missing or key not whitelisted)."""
    attrs = format_html(' class="{}"', cls) if cls else ""
    if sort is None or key not in sort.spec.columns:
        return format_html('<th scope="col"{}>{}</th>', attrs, label)
    params = _params(context)
    params.pop("page", None)
    params.pop(EXPORT_PARAM, None)
    params["sort"] = key
    params["dir"] = sort.next_dir(key)
    href = "?" + params.urlencode()
    active = key == sort.key
    aria = ""
    arrow = "↕"
    if active:
        aria = "descending" if sort.descending else "ascending"
        arrow = "▼" if sort.descending else "▲"
    hx = format_html(' hx-get="{}" hx-target="{}" hx-push-url="true"', href, hx_target) if hx_target else ""
    hint = _("Sort by %(column)s") % {"column": label}
    return format_html(
        '<th scope="col"{}{}><a class="nic-sort{}" href="{}"{} title="{}">{}<span class="nic-sort-arrow" '
        'aria-hidden="true">{}</span></a></th>',
        attrs,
        format_html(' aria-sort="{}"', aria) if aria else "",
        " active" if active else "",
        href,
        hx,
        hint,
        label,
        arrow,
    )


def _flag(value: Any) -> bool:
    """`Page.has_next()` is a method, `ListPage.has_next` a property."""
    return bool(value() if callable(value) else value)


def _pager_numbers(page: Page[Any] | ListPage) -> tuple[int, int | None]:
    if isinstance(page, ListPage):
        return page.number, page.num_pages
    return page.number, page.paginator.num_pages


@register.inclusion_tag("includes/pager.html", takes_context=True)
def pager(
    context: template.Context, page: Page[Any] | ListPage | None, hx_target: str = ""
) -> dict[str, Any]:
    """Previous / "Page X of Y" / next and a page-jump form keeping the other parameters."""
    if page is None:
        return {"show": False}
    has_prev, has_next = _flag(page.has_previous), _flag(page.has_next)
    if not has_prev and not has_next:
        return {"show": False}
    number, total = _pager_numbers(page)
    params = _params(context)
    params.pop("page", None)
    hidden = [(k, v) for k in params for v in params.getlist(k)]

    def url(n: int) -> str:
        q = params.copy()
        q["page"] = str(n)
        return "?" + q.urlencode()

    return {
        "show": True,
        "number": number,
        "total": total,
        "prev_url": url(number - 1) if has_prev else "",
        "next_url": url(number + 1) if has_next else "",
        "hidden": hidden,
        "hx_target": hx_target,
    }


@register.simple_tag
def result_count(page: Page[Any] | ListPage | None) -> str:
    """How many rows the filters match."""
    if page is None:
        return ""
    if isinstance(page, ListPage):
        if page.capped:
            if page.counted:
                return _("More than %(n)s results") % {"n": f"{page.count:,}"}
            return _("Results %(first)s–%(last)s (more on the next pages)") % {
                "first": f"{page.start_index:,}",
                "last": f"{page.end_index:,}",
            }
        n = page.count
    else:
        n = page.paginator.count
    return ngettext("%(n)s result", "%(n)s results", n) % {"n": f"{n:,}"}


@register.simple_tag(takes_context=True)
def export_link(context: template.Context) -> SafeString:
    """The page's own query with `format=xlsx` (the same filters and sort), without the page."""
    params = _params(context)
    params.pop("page", None)
    params[EXPORT_PARAM] = EXPORT_FORMAT
    return format_html(
        '<a class="krds-btn secondary small nic-export" href="?{}" data-testid="export" hx-boost="false" '
        "download>{}</a>",
        params.urlencode(),
        _("Download Excel (these filters)"),
    )


@register.simple_tag(takes_context=True)
def hidden_sort(context: template.Context) -> SafeString:
    """The current sort as hidden inputs, so a filter form's submit keeps it."""
    params = _params(context)
    return format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}">',
        ((k, params[k]) for k in ("sort", "dir") if params.get(k)),
    )


@register.filter
def may_search(user: Any) -> bool:
    """Staff roles get the global search box (`search` app); companies and the public do not."""
    return has_role(user, STAFF_ROLES)
