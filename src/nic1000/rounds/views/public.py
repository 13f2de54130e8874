"""What the public sees: the published rounds and each one's selected companies (page and Excel)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from nic1000.core.access import public
from nic1000.core.pagination import paginate
from nic1000.rounds import selectors
from nic1000.rounds.exports import selections_xlsx


@public
def public_rounds(request: HttpRequest) -> HttpResponse:
    return render(request, "rounds/public_rounds.html", {"rounds": selectors.published_rounds()})


def _public_selection_cache_key(request: HttpRequest, pk: int) -> str | None:
    """The shared cache's key for one page of a published selection; None for a query it should not hold."""
    if set(request.GET) - {"body", "page"}:
        return None  # other parameters end up in the page's links: not worth a cache entry per variant
    body, page = request.GET.get("body", ""), request.GET.get("page", "1")
    sane_body = not body or (len(body) <= 20 and body.replace("_", "").replace("-", "").isalnum())
    if not sane_body or not page.isdigit() or len(page) > 6:
        return None
    return f"nic1000:public-selection:{pk}:{get_language()}:{body}:{page}"


@public
def public_selection(request: HttpRequest, pk: int) -> HttpResponse:
    """A published selection never changes (publication is final), so its rendered content is kept in the
    shared cache per round, language, body filter and page (and in each process's memory in front of it, so a
    repeated page costs no query); only published rounds are ever cached. The page around it still shows who is signed in."""
    key = _public_selection_cache_key(request, pk)
    local = caches["local"]  # this process's copy: a hit costs no query
    cached = (local.get(key) or cache.get(key)) if key else None
    if cached is None:
        rnd = selectors.published_round(pk=pk)
        rows = selectors.published_selections(round=rnd, body_code=request.GET.get("body", ""))
        context = {
            "round": rnd,
            "page_obj": paginate(rows, request.GET.get("page"), 100),
            "bodies": selectors.published_bodies(round=rnd),
        }
        html = render_to_string("rounds/_public_selection_content.html", context, request=request)
        cached = {"title": rnd.name, "content": html}
        if key:
            cache.set(key, cached, timeout=settings.NIC1000_PUBLIC_CACHE_SECONDS)
    if key:
        local.set(key, cached, timeout=settings.NIC1000_PUBLIC_CACHE_SECONDS)
    return render(
        request,
        "rounds/public_selection.html",
        {"title": cached["title"], "content": mark_safe(cached["content"])},  # rendered by our template
    )


@public
def public_selection_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.published_round(pk=pk)
    content = selections_xlsx(round=rnd, rows=selectors.published_selections(round=rnd))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="nic1000-round{rnd.number}-selection.xlsx"'
    return response
