"""What the public sees: the published rounds and each one's selected companies (page and Excel)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nic1000.core.access import public
from nic1000.core.pagination import paginate
from nic1000.rounds import selectors
from nic1000.rounds.exports import selections_xlsx


@public
def public_rounds(request: HttpRequest) -> HttpResponse:
    return render(request, "rounds/public_rounds.html", {"rounds": selectors.published_rounds()})


@public
def public_selection(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.published_round(pk=pk)
    rows = selectors.published_selections(round=rnd, body_code=request.GET.get("body", ""))
    context = {
        "round": rnd,
        "page_obj": paginate(rows, request.GET.get("page"), 100),
        "bodies": selectors.published_bodies(round=rnd),
    }
    return render(request, "rounds/public_selection.html", context)


@public
def public_selection_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.published_round(pk=pk)
    content = selections_xlsx(round=rnd, rows=selectors.published_selections(round=rnd))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="nic1000-round{rnd.number}-selection.xlsx"'
    return response
